package io.samzakv.replication;

import io.samzakv.oplog.LogRecord;
import io.samzakv.storage.KeyValue;
import io.samzakv.storage.PartitionHistory;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A partition's snapshot on the wire, in chunks: {@code [partition:int32][attach:int64][last:byte]}
 * (attach names the catch-up it belongs to) then, for an entry chunk, {@code
 * [count:int32]([keyLen:int32][key][valueLen:int32][value])*}; the last chunk instead carries
 * {@code [historyLen:int32][history]} and the records logged after the snapshot (as {@link
 * RecordCodec} writes them).
 */
final class SnapshotCodec {
  /** Entries are sent in chunks of about this many bytes. */
  static final int CHUNK_BYTES = 1 << 20;

  private SnapshotCodec() {}

  /** A decoded chunk: entries, or (the last one) the history and the tail. */
  record Chunk(
      int partition,
      long attachId,
      List<KeyValue> entries,
      PartitionHistory history,
      RecordCodec.Shipment tail) {
    boolean last() {
      return history != null;
    }
  }

  static Buffer entries(int partition, long attachId, List<KeyValue> entries) {
    Buffer out =
        Buffer.buffer()
            .appendInt(partition)
            .appendLong(attachId)
            .appendByte((byte) 0)
            .appendInt(entries.size());
    for (KeyValue entry : entries) {
      out.appendInt(entry.key().length)
          .appendBytes(entry.key())
          .appendInt(entry.value().length)
          .appendBytes(entry.value());
    }
    return out;
  }

  static Buffer last(
      int partition, long attachId, PartitionHistory history, long fence, List<LogRecord> tail) {
    byte[] encoded = history.encode();
    return Buffer.buffer()
        .appendInt(partition)
        .appendLong(attachId)
        .appendByte((byte) 1)
        .appendInt(encoded.length)
        .appendBytes(encoded)
        .appendBuffer(RecordCodec.encode(Map.of(partition, fence), tail));
  }

  static Chunk decode(Buffer in) {
    int partition = in.getInt(0);
    long attachId = in.getLong(4);
    if (in.getByte(12) == 1) {
      int length = in.getInt(13);
      PartitionHistory history =
          PartitionHistory.decode(java.nio.ByteBuffer.wrap(in.getBytes(17, 17 + length)));
      return new Chunk(
          partition, attachId, List.of(), history, RecordCodec.decode(in, 17 + length));
    }
    int count = in.getInt(13);
    int at = 17;
    List<KeyValue> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int keyLength = in.getInt(at);
      byte[] key = in.getBytes(at + 4, at + 4 + keyLength);
      at += 4 + keyLength;
      int valueLength = in.getInt(at);
      byte[] value = in.getBytes(at + 4, at + 4 + valueLength);
      at += 4 + valueLength;
      entries.add(new KeyValue(partition, key, value));
    }
    return new Chunk(partition, attachId, entries, null, null);
  }
}
