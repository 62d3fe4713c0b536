package io.samzakv.store;

import io.samzakv.storage.KeyValue;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.PartitionScrub;
import io.samzakv.storage.SpaceUsage;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.ValueCheck;
import io.samzakv.storage.WriteBatch;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link StorageEngine} that hands every call to a real one, for tests whose fakes change only
 * the calls they inject faults into.
 */
abstract class ForwardingStorageEngine implements StorageEngine {
  final StorageEngine engine;

  ForwardingStorageEngine(StorageEngine engine) {
    this.engine = engine;
  }

  @Override
  public String location() {
    return engine.location();
  }

  @Override
  public int partitionCount() {
    return engine.partitionCount();
  }

  @Override
  public byte[] get(int partition, byte[] key) {
    return engine.get(partition, key);
  }

  @Override
  public List<KeyValue> scan(int[] partitions, byte[] start, byte[] end, int limit) {
    return engine.scan(partitions, start, end, limit);
  }

  @Override
  public void reserve(WriteBatch batch) {
    engine.reserve(batch);
  }

  @Override
  public void apply(WriteBatch batch) {
    engine.apply(batch);
  }

  @Override
  public PartitionScrub scrub(int partition, ValueCheck check) {
    return engine.scrub(partition, check);
  }

  @Override
  public void rebuild(int partition, Consumer<Consumer<Mutation>> source) {
    engine.rebuild(partition, source);
  }

  @Override
  public void install(
      int partition,
      Consumer<Consumer<Mutation>> source,
      java.util.function.Supplier<io.samzakv.storage.PartitionHistory> history) {
    engine.install(partition, source, history);
  }

  @Override
  public io.samzakv.storage.PartitionHistory history(int partition) {
    return engine.history(partition);
  }

  @Override
  public io.samzakv.storage.PartitionHistory snapshot(
      int partition, Consumer<io.samzakv.storage.KeyValue> each) {
    return engine.snapshot(partition, each);
  }

  @Override
  public long appliedPosition() {
    return engine.appliedPosition();
  }

  @Override
  public SpaceUsage space() {
    return engine.space();
  }

  @Override
  public long sync() {
    return engine.sync();
  }

  @Override
  public void close() {
    engine.close();
  }
}
