package io.samzakv.storage;

/** One change to a partition's keyspace: a put of stored bytes, or a delete when value is null. */
public record Mutation(int partition, byte[] key, byte[] value) {

  public static Mutation put(int partition, byte[] key, byte[] value) {
    return new Mutation(partition, key, value);
  }

  public static Mutation delete(int partition, byte[] key) {
    return new Mutation(partition, key, null);
  }

  public boolean isDelete() {
    return value == null;
  }
}
