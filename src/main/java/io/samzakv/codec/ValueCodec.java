package io.samzakv.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Encodes a value and its version into the bytes the storage engine keeps, and verifies them on the
 * way back.
 *
 * <pre>
 * raw:        [version:int64][flags:byte = 0][crc32c:int32][payload = value]
 * compressed: [version:int64][flags:byte = 1][crc32c:int32][rawLength:int32][payload = lz4 block]
 * </pre>
 *
 * All integers are big-endian. The CRC32C covers every byte except the crc field itself (version,
 * flags, rawLength when present, payload), so a damaged header is caught as surely as a damaged
 * payload, and it is checked before the payload is handed to the decompressor.
 *
 * <p>Thread contract: immutable and safe for any number of threads; the LZ4 compressor and
 * decompressor are stateless and thread-safe, and a CRC32C is created per call.
 */
public final class ValueCodec {

  /** Below this size LZ4 rarely wins and its call overhead dominates the GET/PUT path. */
  static final int COMPRESSION_THRESHOLD = 64;

  static final byte FLAG_LZ4 = 1;

  private static final int VERSION_OFFSET = 0;
  private static final int FLAGS_OFFSET = 8;
  private static final int CRC_OFFSET = 9;
  private static final int RAW_HEADER = 13;
  private static final int RAW_LENGTH_OFFSET = RAW_HEADER;
  private static final int COMPRESSED_HEADER = RAW_HEADER + 4;

  /**
   * The most bytes an encoding adds to its value: the raw header, since the compressed form is only
   * used when it is smaller than the raw one.
   */
  public static final int MAX_HEADER_BYTES = RAW_HEADER;

  /**
   * The leading bytes of every stored value that identify it: its version, flags and the CRC32C
   * over all of it. The storage engine's evidence digests only these (see {@code
   * storage.EntryDigest}).
   */
  public static final int IDENTIFYING_BYTES = RAW_HEADER;

  // View handles compile to single (byte-swapped) loads and stores instead of byte-by-byte shifts.
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();

  private final boolean compress;
  private final int largestValueBytes;
  private final LZ4Compressor compressor = LZ4.fastCompressor();
  // The safe decompressor never reads or writes outside the arrays it is given, whatever the
  // input; the "fast" one trusts the input and is unfit for bytes read back from disk.
  private final LZ4SafeDecompressor decompressor = LZ4.safeDecompressor();

  /**
   * @param largestValueBytes the largest value ever stored, which bounds what a decode allocates;
   *     the largest possible, not the configured limit, so that lowering the limit never turns the
   *     values stored before into "corrupt" ones
   */
  public ValueCodec(boolean compress, int largestValueBytes) {
    if (largestValueBytes < 0) {
      throw new IllegalArgumentException(
          "largestValueBytes must be >= 0, got " + largestValueBytes);
    }
    this.compress = compress;
    this.largestValueBytes = largestValueBytes;
  }

  /**
   * The stored form of {@code value} at {@code version}; LZ4 only when it saves space. The value's
   * size is the caller's to check (the API does, against {@code KV_MAX_VALUE_BYTES}).
   */
  public byte[] encode(long version, byte[] value) {
    if (compress && value.length >= COMPRESSION_THRESHOLD) {
      byte[] compressed = tryCompress(version, value);
      if (compressed != null) {
        return compressed;
      }
    }
    byte[] out = new byte[RAW_HEADER + value.length];
    writeLong(out, VERSION_OFFSET, version);
    out[FLAGS_OFFSET] = 0;
    System.arraycopy(value, 0, out, RAW_HEADER, value.length);
    writeInt(out, CRC_OFFSET, crc(out));
    return out;
  }

  /** The compressed encoding, or null when it would not be smaller than the raw one. */
  private byte[] tryCompress(long version, byte[] value) {
    byte[] out = new byte[COMPRESSED_HEADER + compressor.maxCompressedLength(value.length)];
    int compressedLength =
        compressor.compress(
            value, 0, value.length, out, COMPRESSED_HEADER, out.length - COMPRESSED_HEADER);
    // The rawLength field costs 4 bytes the raw form does not pay.
    if (compressedLength + 4 >= value.length) {
      return null;
    }
    out = Arrays.copyOf(out, COMPRESSED_HEADER + compressedLength);
    writeLong(out, VERSION_OFFSET, version);
    out[FLAGS_OFFSET] = FLAG_LZ4;
    writeInt(out, RAW_LENGTH_OFFSET, value.length);
    writeInt(out, CRC_OFFSET, crc(out));
    return out;
  }

  /**
   * The version and value stored in {@code stored}.
   *
   * @throws CorruptValueException when the bytes are short, carry unknown flags, fail the CRC, or
   *     do not decompress to exactly the recorded length; corrupt bytes are never returned
   */
  public DecodedValue decode(byte[] stored) {
    byte flags = stored.length < RAW_HEADER ? 0 : stored[FLAGS_OFFSET];
    String problem = headerProblem(stored.length, flags);
    if (problem != null) {
      throw new CorruptValueException(problem);
    }
    boolean compressed = flags == FLAG_LZ4;
    int expectedCrc = readInt(stored, CRC_OFFSET);
    int actualCrc = crc(stored);
    if (expectedCrc != actualCrc) {
      throw new CorruptValueException(
          String.format("crc32c mismatch: stored %08x, computed %08x", expectedCrc, actualCrc));
    }
    long version = readLong(stored, VERSION_OFFSET);
    if (!compressed) {
      return new DecodedValue(version, Arrays.copyOfRange(stored, RAW_HEADER, stored.length));
    }
    return new DecodedValue(version, decompress(stored));
  }

  /**
   * The version in the header of {@code stored}, read without verifying it: for bytes a peer
   * encoded moments ago and shipped inside a checksummed record, whose version the write path needs
   * before it can afford a full {@link #decode}.
   */
  public static long version(byte[] stored) {
    return readLong(stored, VERSION_OFFSET);
  }

  /**
   * True when {@code stored} passes the checks {@link #decode} makes before decompressing (length,
   * flags, CRC32C), read in place: what a scrub of every stored value needs. The CRC32C covers the
   * compressed payload and its recorded length, so a value that passes decodes too. The buffer's
   * position and limit are left as they were.
   */
  public boolean intact(ByteBuffer stored) {
    ByteBuffer bytes = stored.duplicate().order(ByteOrder.BIG_ENDIAN);
    int start = bytes.position();
    int end = bytes.limit();
    if (headerProblem(end - start, end - start < RAW_HEADER ? 0 : bytes.get(start + FLAGS_OFFSET))
        != null) {
      return false;
    }
    int expectedCrc = bytes.getInt(start + CRC_OFFSET);
    CRC32C crc = new CRC32C();
    crc.update(bytes.limit(start + CRC_OFFSET));
    crc.update(bytes.limit(end).position(start + RAW_HEADER));
    return (int) crc.getValue() == expectedCrc;
  }

  /** What is wrong with a stored value's length and flags, or null when nothing is. */
  private static String headerProblem(int length, byte flags) {
    if (length < RAW_HEADER) {
      return "value of " + length + " bytes is shorter than the " + RAW_HEADER + "-byte header";
    }
    if (flags != 0 && flags != FLAG_LZ4) {
      return "unknown flags 0x" + Integer.toHexString(flags & 0xff);
    }
    if (flags == FLAG_LZ4 && length < COMPRESSED_HEADER) {
      return "compressed value of " + length + " bytes is shorter than its header";
    }
    return null;
  }

  private byte[] decompress(byte[] stored) {
    int rawLength = readInt(stored, RAW_LENGTH_OFFSET);
    // Bounded before allocating: a (CRC-valid but) absurd length must not become a huge array.
    if (rawLength < 0 || rawLength > largestValueBytes) {
      throw new CorruptValueException(
          "compressed value claims " + rawLength + " raw bytes, limit is " + largestValueBytes);
    }
    byte[] value = new byte[rawLength];
    int produced;
    try {
      produced =
          decompressor.decompress(
              stored, COMPRESSED_HEADER, stored.length - COMPRESSED_HEADER, value, 0, rawLength);
    } catch (LZ4Exception e) {
      throw new CorruptValueException("lz4 payload does not decompress: " + e.getMessage(), e);
    }
    if (produced != rawLength) {
      throw new CorruptValueException(
          "lz4 payload decompressed to " + produced + " bytes, header says " + rawLength);
    }
    return value;
  }

  /** CRC32C of everything but the crc field: version and flags, then rawLength and payload. */
  private static int crc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, CRC_OFFSET);
    crc.update(bytes, RAW_HEADER, bytes.length - RAW_HEADER);
    return (int) crc.getValue();
  }

  private static void writeLong(byte[] b, int off, long v) {
    LONG.set(b, off, v);
  }

  private static long readLong(byte[] b, int off) {
    return (long) LONG.get(b, off);
  }

  private static void writeInt(byte[] b, int off, int v) {
    INT.set(b, off, v);
  }

  private static int readInt(byte[] b, int off) {
    return (int) INT.get(b, off);
  }
}
