package io.samzakv.routing;

import io.samzakv.kv.Key;
import java.util.zip.CRC32C;

/**
 * Maps a key to its partition: CRC32C of the key's UTF-8 bytes, mixed, mod the partition count.
 * Stable across JVMs and versions, which matters because data on disk is laid out by it.
 */
public record Partitioner(int partitions) {
  public int partitionOf(Key key) {
    CRC32C crc = new CRC32C();
    crc.update(key.utf8());
    return (int) ((mix((int) crc.getValue()) & 0xFFFFFFFFL) % partitions);
  }

  /**
   * MurmurHash3's finalizer. CRC is linear, so keys that differ in a few bits (user-1, user-2, ...)
   * land in correlated low bits and crowd a few partitions; mixing spreads them evenly.
   */
  private static int mix(int hash) {
    int h = hash;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
