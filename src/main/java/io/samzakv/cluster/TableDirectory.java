package io.samzakv.cluster;

import io.vertx.core.Future;
import java.util.function.Consumer;
import java.util.function.Function;

/** STUB for compiling the replication branch; replaced by the authority branch's class. */
public class TableDirectory implements PartitionTables {
  @Override
  public PartitionTable current() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Future<PartitionTable> refresh() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void onChange(Consumer<PartitionTable> listener) {
    throw new UnsupportedOperationException();
  }

  public Future<PartitionTable> createIfAbsent(java.util.function.Supplier<PartitionTable> first) {
    throw new UnsupportedOperationException();
  }

  public Future<PartitionTable> change(Function<PartitionTable, PartitionTable> change) {
    throw new UnsupportedOperationException();
  }
}
