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
 * <p>The same zero-filled space is what makes a full disk harmless: {@link #reserve} allocates it
 * (and fails with {@code NoSpaceException}) before any byte of the records that need it is written,
 * so a write either finds its space reserved or writes nothing; it never leaves half a record.
 *
 * <p>Thread contract: {@link #reserve}, {@link #write}, {@link #seal} and {@link #size} are called
 * under the op log's append lock. {@link #force} may run concurrently from a sync thread; force and
 * {@link #close} are serialized on this object so a sync never races a roll that closes the file.
 */
final class Segment {

  private static final Pattern NAME = Pattern.compile("\\d{20}\\.log");
  static final int PREALLOCATED_BYTES = 1 << 20;
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(PREALLOCATED_BYTES);

  private final Path path;
  private final long firstPosition;
  private final FileChannel channel;
  private final SpaceAllocator allocator;
  private long size;

  /** The file's length: zeros from {@link #size} up to here. */
  private long zeroedUpTo;

  private boolean closed;

  private Segment(
      Path path,
      long firstPosition,
      FileChannel channel,
      SpaceAllocator allocator,
      long size,
      long zeroedUpTo) {
    this.path = path;
    this.firstPosition = firstPosition;
    this.channel = channel;
    this.allocator = allocator;
    this.size = size;
    this.zeroedUpTo = zeroedUpTo;
  }

  /**
   * Creates the empty segment whose first record will be {@code firstPosition}; on failure no file
   * is left behind.
   */
  static Segment create(Path dir, long firstPosition, SpaceAllocator allocator) throws IOException {
    Path path = dir.resolve(String.format("%020d.log", firstPosition));
    FileChannel channel =
        FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    Segment segment = new Segment(path, firstPosition, channel, allocator, 0, 0);
    try {
      // The new name must survive a crash, or records fsynced into it would vanish with it.
      fsyncDirectory(dir);
    } catch (IOException | RuntimeException e) {
      segment.discard();
      throw e;
    }
    return segment;
  }

  /**
   * Reopens a recovered segment to append after its {@code size} valid bytes, and fsyncs it: its
   * records may have survived a process crash only in the page cache, and are about to be reported
   * durable. Zeros after them (see the class comment) are kept for the appends to come.
   */
  static Segment reopen(SealedSegment recovered, SpaceAllocator allocator) throws IOException {
    FileChannel channel = FileChannel.open(recovered.path(), StandardOpenOption.WRITE);
    channel.force(false);
    return new Segment(
        recovered.path(),
        recovered.firstPosition(),
        channel,
        allocator,
        recovered.bytes(),
        channel.size());
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

  /**
   * Makes sure the next {@code bytes} bytes after the records are allocated and zero-filled, a
   * megabyte at a time. Writes no record byte, so when it fails the segment is as valid as before.
   *
   * @throws io.samzakv.disk.NoSpaceException when the file system has no room for them
   */
  void reserve(long bytes) throws IOException {
    long needed = size + bytes;
    if (needed <= zeroedUpTo) {
      return;
    }
    long chunks = (needed - zeroedUpTo + PREALLOCATED_BYTES - 1) / PREALLOCATED_BYTES;
    allocator.allocate(path, zeroedUpTo, chunks * PREALLOCATED_BYTES);
    for (long chunk = 0; chunk < chunks; chunk++) {
      ByteBuffer zeros = ZEROS.duplicate();
      while (zeros.hasRemaining()) {
        zeroedUpTo += channel.write(zeros, zeroedUpTo);
      }
    }
  }

  /**
   * Hands all of {@code frames} (in read mode) to the OS, into space {@link #reserve}d for them.
   */
  void write(ByteBuffer frames) throws IOException {
    if (size + frames.remaining() > zeroedUpTo) {
      throw new IllegalStateException(
          frames.remaining() + " bytes to write but only " + (zeroedUpTo - size) + " reserved");
    }
    while (frames.hasRemaining()) {
      size += channel.write(frames, size);
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
   * Cuts the file back to its records, fsyncing it (length included) when {@code force}, but keeps
   * it open: a roll seals the old segment first, so that a crash never leaves zeros at the end of a
   * segment that is not the last, and closes it only once the next one exists.
   */
  synchronized void seal(boolean force) throws IOException {
    channel.truncate(size);
    zeroedUpTo = size;
    if (force) {
      channel.force(true);
    }
  }

  /**
   * Closes the file, cut back to its records, fsyncing it first (length included) when {@code
   * force}. Idempotent.
   */
  synchronized void close(boolean force) throws IOException {
    if (closed) {
      return;
    }
    try (channel) {
      seal(force);
    } finally {
      closed = true;
    }
  }

  /** Closes and deletes a segment that never got a record: a roll that could not complete. */
  synchronized void discard() throws IOException {
    closed = true;
    try (channel) {
      Files.deleteIfExists(path);
    }
  }
}
