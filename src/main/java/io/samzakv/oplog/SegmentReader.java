package io.samzakv.oplog;

import static io.samzakv.oplog.RecordFrame.HEADER;
import static io.samzakv.oplog.RecordFrame.MAX_BODY;
import static io.samzakv.oplog.RecordFrame.MIN_BODY;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Reads and validates the frames of one segment file, front to back, up to a byte limit fixed when
 * it is opened (so a reader of the active segment never sees a half-written frame). Reads through a
 * window of about a megabyte so that scanning costs one syscall per window, not per record.
 *
 * <p>Thread contract: confined to one thread. The file must not shrink below the limit while open.
 */
final class SegmentReader implements AutoCloseable {

  /** What {@link #next()} found at the current offset. */
  enum Status {
    RECORD(null),
    END(null),
    SHORT("record runs past the end of the file"),
    BAD_LENGTH("implausible record length"),
    BAD_CHECKSUM("checksum mismatch"),
    MALFORMED("record fields disagree with its length");

    private final String problem;

    Status(String problem) {
      this.problem = problem;
    }

    String problem() {
      return problem;
    }
  }

  private static final int WINDOW = 1 << 20;

  private final Path file;
  private final FileChannel channel;
  private final long limit;
  private final CRC32C crc = new CRC32C();

  /** Holds the file's bytes [windowStart, windowStart + window.limit()). */
  private ByteBuffer window = ByteBuffer.allocate(WINDOW).limit(0);

  private long windowStart;
  private long offset;
  private long frameStart;

  SegmentReader(Path file, long limit) throws IOException {
    this.file = file;
    this.limit = limit;
    this.channel = FileChannel.open(file, StandardOpenOption.READ);
  }

  /**
   * Where the next frame starts. After {@link #next()} returns anything but {@link Status#RECORD}
   * it stays put, so it is the offset of the bad frame, which is also the count of good bytes.
   */
  long offset() {
    return offset;
  }

  /** Moves to {@code at}, where {@link #resync} found a good frame. */
  void seek(long at) {
    offset = at;
  }

  /** A good frame found past damage: where it starts and the position it carries. */
  record Resync(long offset, long position) {}

  /**
   * Looks past the bad frame at {@code at} for the first good frame whose position can follow
   * {@code previous}: above it, by at most one more than the number of smallest frames the skipped
   * bytes could hold. The bound keeps a frame-shaped run of bytes inside some value from passing
   * for the log's next record. Returns null when no such frame follows in this segment.
   */
  Resync resync(long at, long previous) throws IOException {
    for (long candidate = at + 1; candidate + HEADER + MIN_BODY <= limit; candidate++) {
      // The position is checked before the checksum: it rules out almost every offset for the
      // price of one read, where a checksum could cost megabytes per offset.
      long position = RecordFrame.position(window, load(candidate, HEADER + 8) + HEADER);
      long mostSkipped = (candidate - at) / (HEADER + MIN_BODY);
      if (position > previous
          && position <= previous + 1 + mostSkipped
          && probe(candidate) == Status.RECORD) {
        return new Resync(candidate, position);
      }
    }
    return null;
  }

  /** Validates the frame at {@link #offset()} and, when it is a good record, steps past it. */
  Status next() throws IOException {
    Status status = probe(offset);
    if (status == Status.RECORD) {
      frameStart = offset;
      offset += HEADER + intAt(offset);
    }
    return status;
  }

  /** The position of the record {@link #next()} just accepted. */
  long position() {
    return RecordFrame.position(window, frameIndex() + HEADER);
  }

  /** The record {@link #next()} just accepted, with its own copies of key and value. */
  LogRecord record() {
    return RecordFrame.decode(window, frameIndex() + HEADER);
  }

  /**
   * Whether the bad frame at {@code at} is what a crash mid-write leaves, so truncating there loses
   * nothing that was ever complete: the frame is unreadable (not checksummed-but-malformed),
   * nothing but zeros follows the bytes it claims, and no intact frame starts anywhere after it.
   * The last test keeps a corrupted length word from passing for a torn tail and hiding the good
   * records behind it.
   */
  boolean isTornTail(long at, Status status) throws IOException {
    return status != Status.MALFORMED
        && zerosBetween(claimedEnd(at), limit)
        && !intactFrameAfter(at);
  }

  /** Whether nothing but zeros lies between {@code at} and the limit. */
  boolean onlyZerosFrom(long at) throws IOException {
    return zerosBetween(at, limit);
  }

  private Status probe(long at) throws IOException {
    long remaining = limit - at;
    if (remaining == 0) {
      return Status.END;
    }
    if (remaining < HEADER) {
      return Status.SHORT;
    }
    int length = intAt(at);
    if (length < MIN_BODY || length > MAX_BODY) {
      return Status.BAD_LENGTH;
    }
    if (length > remaining - HEADER) {
      return Status.SHORT;
    }
    int index = load(at, HEADER + length);
    if (RecordFrame.checksum(crc, window, index + HEADER, length) != window.getInt(index + 4)) {
      return Status.BAD_CHECKSUM;
    }
    return RecordFrame.wellFormed(window, index + HEADER, length)
        ? Status.RECORD
        : Status.MALFORMED;
  }

  /** Where the frame at {@code at} ends by its length word, or the limit if that is unusable. */
  private long claimedEnd(long at) throws IOException {
    if (limit - at < HEADER) {
      return limit;
    }
    int length = intAt(at);
    boolean usable = length >= MIN_BODY && length <= MAX_BODY && length <= limit - at - HEADER;
    return usable ? at + HEADER + length : limit;
  }

  private boolean zerosBetween(long from, long to) throws IOException {
    for (long at = from; at < to; ) {
      int n = (int) Math.min(WINDOW, to - at);
      int index = load(at, n);
      for (int i = 0; i < n; i++) {
        if (window.get(index + i) != 0) {
          return false;
        }
      }
      at += n;
    }
    return true;
  }

  private boolean intactFrameAfter(long at) throws IOException {
    for (long candidate = at + 1; candidate + HEADER + MIN_BODY <= limit; candidate++) {
      if (probe(candidate) == Status.RECORD) {
        return true;
      }
    }
    return false;
  }

  private int frameIndex() {
    return (int) (frameStart - windowStart);
  }

  private int intAt(long at) throws IOException {
    return window.getInt(load(at, 4));
  }

  /** Makes the file's bytes [at, at + n) available in the window and returns the index of at. */
  private int load(long at, int n) throws IOException {
    if (at >= windowStart && at + n <= windowStart + window.limit()) {
      return (int) (at - windowStart);
    }
    if (window.capacity() < n) {
      window = ByteBuffer.allocate(n);
    }
    window.clear().limit((int) Math.min(window.capacity(), limit - at));
    long readAt = at;
    while (window.hasRemaining()) {
      int read = channel.read(window, readAt);
      if (read < 0) {
        throw new EOFException(file + " is shorter than the " + limit + " bytes expected");
      }
      readAt += read;
    }
    window.flip();
    windowStart = at;
    return 0;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
