package io.samzakv.replication;

import io.samzakv.oplog.LogOp;
import io.samzakv.oplog.LogRecord;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Records on the wire between a primary and its replicas, with the leader epoch under which the
 * sender is the primary of each of their partitions (the fence a replica checks: a record written
 * under an older epoch is still part of the history a newer primary sends):
 *
 * <pre>
 * [partitions:int32] then per partition: [partition:int32][leaderEpoch:int64]
 * [count:int32] then per record:
 * [partition:int32][epoch:int64][sequence:int64][op:byte][keyLen:int32][key][valueLen:int32, -1 for DELETE][value]
 * </pre>
 *
 * The value travels as the primary stored it (encoded, with its own CRC32C), so a replica stores
 * the same bytes without encoding again. A record's op-log position is the primary's own and does
 * not travel; the receiver decodes it as 0.
 */
final class RecordCodec {
  private RecordCodec() {}

  /** Records from a primary, and the leader epoch it sends each partition's records under. */
  record Shipment(Map<Integer, Long> fences, List<LogRecord> records) {}

  static Buffer encode(Map<Integer, Long> fences, List<LogRecord> records) {
    int size = 8 + 12 * fences.size();
    for (LogRecord record : records) {
      size += 33 + record.key().length + (record.value() == null ? 0 : record.value().length);
    }
    Buffer out = Buffer.buffer(size);
    out.appendInt(fences.size());
    fences.forEach((partition, epoch) -> out.appendInt(partition).appendLong(epoch));
    out.appendInt(records.size());
    for (LogRecord record : records) {
      out.appendInt(record.partition())
          .appendLong(record.epoch())
          .appendLong(record.sequence())
          .appendByte(record.op() == LogOp.PUT ? (byte) 0 : (byte) 1)
          .appendInt(record.key().length)
          .appendBytes(record.key());
      if (record.value() == null) {
        out.appendInt(-1);
      } else {
        out.appendInt(record.value().length).appendBytes(record.value());
      }
    }
    return out;
  }

  static Shipment decode(Buffer in) {
    return decode(in, 0);
  }

  /** Decodes the shipment starting at {@code offset}. */
  static Shipment decode(Buffer in, int offset) {
    int at = offset;
    int partitions = in.getInt(at);
    at += 4;
    Map<Integer, Long> fences = new HashMap<>();
    for (int i = 0; i < partitions; i++) {
      fences.put(in.getInt(at), in.getLong(at + 4));
      at += 12;
    }
    int count = in.getInt(at);
    at += 4;
    List<LogRecord> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int partition = in.getInt(at);
      long epoch = in.getLong(at + 4);
      long sequence = in.getLong(at + 12);
      LogOp op = in.getByte(at + 20) == 0 ? LogOp.PUT : LogOp.DELETE;
      int keyLength = in.getInt(at + 21);
      byte[] key = in.getBytes(at + 25, at + 25 + keyLength);
      at += 25 + keyLength;
      int valueLength = in.getInt(at);
      at += 4;
      byte[] value = null;
      if (valueLength >= 0) {
        value = in.getBytes(at, at + valueLength);
        at += valueLength;
      }
      records.add(new LogRecord(0, partition, epoch, sequence, op, key, value));
    }
    return new Shipment(fences, records);
  }
}
