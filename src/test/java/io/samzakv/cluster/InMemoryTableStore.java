package io.samzakv.cluster;

import io.vertx.core.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * A {@link TableStore} in memory, with two faults a real one shows: another member changing the
 * table just before this member's swap, and a swap that is stored but reported as failed (a Raft
 * leader that died after replicating it).
 */
final class InMemoryTableStore implements TableStore {
  private final AtomicReference<PartitionTable> stored = new AtomicReference<>();
  private volatile UnaryOperator<PartitionTable> rivalBeforeNextSwap;
  private volatile boolean failNextSwapAfterStoring;

  PartitionTable stored() {
    return stored.get();
  }

  void put(PartitionTable table) {
    stored.set(table);
  }

  /** Before the next swap, another member replaces the stored table with {@code rival(stored)}. */
  void rivalBeforeNextSwap(UnaryOperator<PartitionTable> rival) {
    rivalBeforeNextSwap = rival;
  }

  void failNextSwapAfterStoring() {
    failNextSwapAfterStoring = true;
  }

  @Override
  public Future<PartitionTable> read() {
    return Future.succeededFuture(stored.get());
  }

  @Override
  public Future<Boolean> create(PartitionTable first) {
    return Future.succeededFuture(stored.compareAndSet(null, first));
  }

  @Override
  public synchronized Future<Boolean> compareAndSet(PartitionTable next) {
    UnaryOperator<PartitionTable> rival = rivalBeforeNextSwap;
    rivalBeforeNextSwap = null;
    if (rival != null) {
      stored.set(rival.apply(stored.get()));
    }
    PartitionTable current = stored.get();
    if (current == null || current.epoch() != next.epoch() - 1) {
      return Future.succeededFuture(false);
    }
    stored.set(next);
    if (failNextSwapAfterStoring) {
      failNextSwapAfterStoring = false;
      return Future.failedFuture(new IllegalStateException("outcome unknown: the leader died"));
    }
    return Future.succeededFuture(true);
  }
}
