package io.samzakv.oplog;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk frame of one record, big-endian:
 *
 * <pre>
 * [length:int32][crc32c:int32][position:int64][partition:int32][epoch:int64][sequence:int64]
 * [op:byte][keyLen:int32][key][valueLen:int32, -1 for DELETE][value]
 * </pre>
 *
 * length counts the bytes after the crc field (the body) and the CRC-32C covers exactly the body,
 * so a reader can check a frame before trusting any field but the length. epoch and sequence are
 * the record's place in its partition's history (the leader epoch of the primary that wrote it and
 * the partition's own sequence), the same on every copy of the partition; position is this log's.
 * Stateless: every method works on buffers and a {@link CRC32C} owned by the caller.
 */
final class RecordFrame {

  /** Bytes before the body: the length and the checksum. */
  static final int HEADER = 8;

  /** Body of a record with an empty key and a null value. */
  static final int MIN_BODY = 8 + 4 + 8 + 8 + 1 + 4 + 4;

  /**
   * Upper bound on a body. Bigger lengths can only come from garbage, so recovery uses this to
   * reject a corrupt length before reading that far.
   */
  static final int MAX_BODY = 64 << 20;

  private static final int PARTITION = 8;
  private static final int EPOCH = 12;
  private static final int SEQUENCE = 20;
  static final int OP = 28;
  private static final int KEY_LENGTH = 29;
  private static final int KEY = 33;

  private RecordFrame() {}

  /** Bytes the frame of this record takes, header included. */
  static int frameSize(byte[] key, byte[] value) {
    long body = (long) MIN_BODY + key.length + (value == null ? 0 : value.length);
    if (body > MAX_BODY) {
      throw new IllegalArgumentException(
          "record of " + body + " bytes exceeds the op log limit of " + MAX_BODY);
    }
    return HEADER + (int) body;
  }

  /**
   * Writes one frame at {@code out}'s position, which must have {@link #frameSize} bytes left, and
   * leaves the position after it. Allocates nothing: this is on the PUT path.
   */
  static void encode(
      ByteBuffer out,
      CRC32C crc,
      long position,
      int partition,
      long epoch,
      long sequence,
      LogOp op,
      byte[] key,
      byte[] value) {
    int start = out.position();
    int bodyStart = start + HEADER;
    out.putInt(frameSize(key, value) - HEADER).putInt(0);
    out.putLong(position)
        .putInt(partition)
        .putLong(epoch)
        .putLong(sequence)
        .put(op.code())
        .putInt(key.length)
        .put(key);
    if (value == null) {
      out.putInt(-1);
    } else {
      out.putInt(value.length).put(value);
    }
    int end = out.position();
    // Checksum the body in place by narrowing the buffer, rather than slicing, to stay
    // garbage-free.
    out.limit(end).position(bodyStart);
    crc.reset();
    crc.update(out);
    out.limit(out.capacity()).position(end);
    out.putInt(start + 4, (int) crc.getValue());
  }

  /** The CRC-32C of the {@code length}-byte body starting at index {@code bodyStart}. */
  static int checksum(CRC32C crc, ByteBuffer buf, int bodyStart, int length) {
    crc.reset();
    crc.update(buf.slice(bodyStart, length));
    return (int) crc.getValue();
  }

  /**
   * Whether the body's fields agree with its length. A checksum only proves the bytes are the ones
   * written; this catches a writer that framed them wrongly.
   */
  static boolean wellFormed(ByteBuffer buf, int bodyStart, int length) {
    LogOp op = LogOp.ofCode(buf.get(bodyStart + OP));
    int keyLength = buf.getInt(bodyStart + KEY_LENGTH);
    if (op == null || keyLength < 0 || keyLength > length - MIN_BODY) {
      return false;
    }
    int valueLength = buf.getInt(bodyStart + KEY + keyLength);
    if (op == LogOp.DELETE) {
      return valueLength == -1 && length == MIN_BODY + keyLength;
    }
    return valueLength >= 0 && length == (long) MIN_BODY + keyLength + valueLength;
  }

  /** The position of the body at {@code bodyStart}, read without decoding the rest. */
  static long position(ByteBuffer buf, int bodyStart) {
    return buf.getLong(bodyStart);
  }

  /** Decodes a body that passed {@link #wellFormed}, copying key and value out of the buffer. */
  static LogRecord decode(ByteBuffer buf, int bodyStart) {
    LogOp op = LogOp.ofCode(buf.get(bodyStart + OP));
    byte[] key = new byte[buf.getInt(bodyStart + KEY_LENGTH)];
    buf.get(bodyStart + KEY, key);
    int valueAt = bodyStart + KEY + key.length;
    int valueLength = buf.getInt(valueAt);
    byte[] value = null;
    if (valueLength >= 0) {
      value = new byte[valueLength];
      buf.get(valueAt + 4, value);
    }
    return new LogRecord(
        buf.getLong(bodyStart),
        buf.getInt(bodyStart + PARTITION),
        buf.getLong(bodyStart + EPOCH),
        buf.getLong(bodyStart + SEQUENCE),
        op,
        key,
        value);
  }
}
