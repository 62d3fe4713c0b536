package io.samzakv.oplog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The active segment file, open for appending. It is named after the position of its first record
 * (20 zero-padded digits + ".log") so that numbering survives even when it holds no records yet.
 *
 * <p>The file is kept zero-filled ahead of the records, {@link #PREALLOCATED_BYTES} at a time, so
 * an append does not grow it: an fdatasync then flushes data only, with no journal commit for a new
 * file size, which made it about 40% faster on ext4 here. Recovery reads zeros after the last
 * record of the last segment as its end; closing a segment cuts the zeros off.
 *
 * <p>Thread contract: {@link #write} and {@link #size} are called under the op log's append lock.
 * {@link #force} may run concurrently from a sync thread; force and {@link #close} are serialized
 * on this object so a sync never races a roll that closes the file.
 */
final class Segment {

  private static final Pattern NAME = Pattern.compile("\\d{20}\\.log");
  static final int PREALLOCATED_BYTES = 1 << 20;
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(PREALLOCATED_BYTES);

  private final Path path;
  private final long firstPosition;
  private final FileChannel channel;
  private long size;

  /** The file's length: zeros from {@link #size} up to here. */
  private long zeroedUpTo;

  private boolean closed;

  private Segment(Path path, long firstPosition, FileChannel channel, long size, long zeroedUpTo) {
    this.path = path;
    this.firstPosition = firstPosition;
    this.channel = channel;
    this.size = size;
    this.zeroedUpTo = zeroedUpTo;
  }

  /** Creates the empty segment whose first record will be {@code firstPosition}. */
  static Segment create(Path dir, long firstPosition) throws IOException {
    Path path = dir.resolve(String.format("%020d.log", firstPosition));
    FileChannel channel =
        FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    // The new name must survive a crash, or records fsynced into it would vanish with it.
    fsyncDirectory(dir);
    return new Segment(path, firstPosition, channel, 0, 0);
  }

  /**
   * Reopens a recovered segment to append after its {@code size} valid bytes, and fsyncs it: its
   * records may have survived a process crash only in the page cache, and are about to be reported
   * durable. Zeros after them (see the class comment) are kept for the appends to come.
   */
  static Segment reopen(SealedSegment recovered) throws IOException {
    FileChannel channel = FileChannel.open(recovered.path(), StandardOpenOption.WRITE);
    channel.position(recovered.bytes());
    channel.force(false);
    return new Segment(
        recovered.path(), recovered.firstPosition(), channel, recovered.bytes(), channel.size());
  }

  /** The segment files in {@code dir}, oldest first. */
  static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .sorted()
          .toList();
    }
  }

  /** The first position a segment file's name declares. */
  static long firstPosition(Path file) {
    String name = file.getFileName().toString();
    return Long.parseLong(name.substring(0, name.length() - ".log".length()));
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  Path path() {
    return path;
  }

  long firstPosition() {
    return firstPosition;
  }

  /** Bytes handed to the OS so far. */
  long size() {
    return size;
  }

  /** Hands all of {@code frames} (in read mode) to the OS. */
  void write(ByteBuffer frames) throws IOException {
    while (size + frames.remaining() > zeroedUpTo) {
      ByteBuffer zeros = ZEROS.duplicate();
      while (zeros.hasRemaining()) {
        zeroedUpTo += channel.write(zeros, zeroedUpTo);
      }
    }
    while (frames.hasRemaining()) {
      size += channel.write(frames);
    }
  }

  /**
   * fsyncs what was written before the call. Returns false, doing nothing, once the segment is
   * closed: the log closes a segment with a force unless its policy never fsyncs.
   */
  synchronized boolean force() throws IOException {
    if (closed) {
      return false;
    }
    channel.force(false);
    return true;
  }

  /**
   * Closes the file, cut back to its records, fsyncing it first (length included) when {@code
   * force}. Idempotent.
   */
  synchronized void close(boolean force) throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (channel) {
      channel.truncate(size);
      if (force) {
        channel.force(true);
      }
    }
  }
}
