package io.samzakv.replication;

import io.samzakv.oplog.LogRecord;
import io.samzakv.storage.KeyValue;
import io.samzakv.storage.PartitionHistory;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A partition's snapshot on the wire, in chunks: {@code [partition:int32][last:byte]} then, for an
 * entry chunk, {@code [count:int32]([keyLen:int32][key][valueLen:int32][value])*}; the last chunk
 * instead carries {@code [historyLen:int32][history]} and the records logged after the snapshot (as
 * {@link RecordCodec} writes them).
 */
final class SnapshotCodec {
  /** Entries are sent in chunks of about this many bytes. */
  static final int CHUNK_BYTES = 1 << 20;

  private SnapshotCodec() {}

  /** A decoded chunk: entries, or (the last one) the history and the tail. */
  record Chunk(
      int partition, List<KeyValue> entries, PartitionHistory history, RecordCodec.Shipment tail) {
    boolean last() {
      return history != null;
    }
  }

  static Buffer entries(int partition, List<KeyValue> entries) {
    Buffer out =
        Buffer.buffer().appendInt(partition).appendByte((byte) 0).appendInt(entries.size());
    for (KeyValue entry : entries) {
      out.appendInt(entry.key().length)
          .appendBytes(entry.key())
          .appendInt(entry.value().length)
          .appendBytes(entry.value());
    }
    return out;
  }

  static Buffer last(int partition, PartitionHistory history, long fence, List<LogRecord> tail) {
    byte[] encoded = history.encode();
    return Buffer.buffer()
        .appendInt(partition)
        .appendByte((byte) 1)
        .appendInt(encoded.length)
        .appendBytes(encoded)
        .appendBuffer(RecordCodec.encode(Map.of(partition, fence), tail));
  }

  static Chunk decode(Buffer in) {
    int partition = in.getInt(0);
    if (in.getByte(4) == 1) {
      int length = in.getInt(5);
      PartitionHistory history =
          PartitionHistory.decode(java.nio.ByteBuffer.wrap(in.getBytes(9, 9 + length)));
      return new Chunk(partition, List.of(), history, RecordCodec.decode(in, 9 + length));
    }
    int count = in.getInt(5);
    int at = 9;
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
    return new Chunk(partition, entries, null, null);
  }
}
