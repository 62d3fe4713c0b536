package io.samzakv.storage;

/**
 * One change to a partition's keyspace: a put of stored bytes, or a delete when value is null,
 * stamped with its place in the partition's history (the writing primary's leader epoch and the
 * partition's sequence). Sequence 0 marks a change outside any history (tools and tests): it leaves
 * the partition's {@link PartitionHistory} as it was.
 */
public record Mutation(int partition, byte[] key, byte[] value, long epoch, long sequence) {

  public static Mutation put(int partition, byte[] key, byte[] value) {
    return new Mutation(partition, key, value, 0, 0);
  }

  public static Mutation delete(int partition, byte[] key) {
    return new Mutation(partition, key, null, 0, 0);
  }

  public Mutation stamped(long epoch, long sequence) {
    return new Mutation(partition, key, value, epoch, sequence);
  }

  public boolean isDelete() {
    return value == null;
  }
}
