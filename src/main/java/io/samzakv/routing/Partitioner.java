package io.samzakv.routing;

import io.samzakv.kv.Key;
import java.util.zip.CRC32C;

/**
 * Maps a key to its partition: CRC32C of the key's UTF-8 bytes mod the partition count. Stable
 * across JVMs and versions, which matters because data on disk is laid out by it.
 */
public record Partitioner(int partitions) {
  public int partitionOf(Key key) {
    CRC32C crc = new CRC32C();
    crc.update(key.utf8());
    return (int) (crc.getValue() % partitions);
  }
}
