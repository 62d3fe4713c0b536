package io.samzakv.oplog;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.samzakv.disk.NoSpaceException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The segmented, append-only op log: every accepted write gets a position here before it is
 * applied, so it can be replayed after a crash and shipped to replicas.
 *
 * <p>Appends are encoded into one reusable direct buffer and reach the OS only at {@link
 * #commitNow}, all of them in one write, so the PUT path costs no syscall per record. Durability
 * follows {@link FsyncPolicy}: with ALWAYS the committing thread fsyncs, so a caller that gathers
 * many appends per commit (the node's write pipeline) gets group commit from that alone. Callers
 * bound what they append between two commits; the buffer grows to hold it.
 *
 * <p>What a commit writes lands whole or not at all as far as space goes: the segment's room for it
 * is allocated first (see {@link Segment#reserve}), and a roll to a new segment completes before
 * any record goes there. When the file system has no room, the appends since the last commit are
 * dropped, their positions handed out again, and {@code NoSpaceException} thrown: the log stays
 * valid and usable. Any other write or fsync failure may have left part of a batch in a file, so
 * the log then refuses all further work until it is reopened (recovery sorts the file out).
 *
 * <p>Thread contract: every public method is thread-safe. Appends, writes, rolls and the segment
 * list are guarded by one lock, held for memory copies, writes with the space they reserve first
 * (allocation and zero-fill) and a roll's fsync of the segment it seals, but never across the fsync
 * that makes a commit durable; those run on a {@link #commitNow} caller (ALWAYS) or the interval
 * thread (INTERVAL). {@link #replay} reads files outside the lock.
 */
public final class OpLog implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(OpLog.class.getName());

  /**
   * The most key and value bytes one record can carry: its frame's fixed fields take the rest of
   * the frame limit. Whoever puts more into a record (a value and its header, say) must stay below.
   */
  public static final int MAX_PAYLOAD_BYTES = RecordFrame.MAX_BODY - RecordFrame.MIN_BODY;

  /** Starting size of the append buffer; a bigger batch grows it until the next write. */
  private static final int BUFFER_BYTES = 256 << 10;

  private final Path dir;
  private final DirectoryLock dirLock;
  private final OpLogOptions options;
  private final SpaceAllocator allocator;
  private final FsyncMetrics metrics;
  private final RecoveryReport recoveryReport;
  private final ReentrantLock lock = new ReentrantLock();
  private final CRC32C crc = new CRC32C();

  /** Highest position known to be fsynced; only ever grows. */
  private final AtomicLong durablePosition;

  // Guarded by lock.
  private final ArrayDeque<SealedSegment> sealed;
  private Segment active;
  private ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
  private long writtenPosition;
  private IOException failure;
  private boolean closed;

  /** Written under lock, read without it. */
  private volatile long lastPosition;

  private ScheduledExecutorService intervalSyncer;

  private OpLog(
      Path dir,
      DirectoryLock dirLock,
      OpLogOptions options,
      SpaceAllocator allocator,
      FsyncMetrics metrics,
      List<SealedSegment> sealed,
      Segment active,
      RecoveryReport recoveryReport) {
    this.dir = dir;
    this.dirLock = dirLock;
    this.options = options;
    this.allocator = allocator;
    this.metrics = metrics;
    this.sealed = new ArrayDeque<>(sealed);
    this.active = active;
    this.recoveryReport = recoveryReport;
    this.lastPosition = recoveryReport.lastPosition();
    this.writtenPosition = lastPosition;
    this.durablePosition = new AtomicLong(lastPosition);
  }

  /** {@link #open(Path, OpLogOptions, MeterRegistry, long)} for a log no store has applied from. */
  public static OpLog open(Path dir, OpLogOptions options, MeterRegistry registry)
      throws IOException {
    return open(dir, options, registry, 0);
  }

  /**
   * Opens or creates the log in dir, validating every segment against {@code appliedPosition}, the
   * position the store has applied through (see {@code LogRecovery}): a torn tail is truncated,
   * damage whose records the store already holds is logged at WARNING, counted in recoveryReport()
   * and moved aside, and damage that held a record past the store throws CorruptLogException naming
   * file and offset. Positions go on from the larger of the log's end and appliedPosition. registry
   * may be null (then no metrics).
   */
  public static OpLog open(
      Path dir, OpLogOptions options, MeterRegistry registry, long appliedPosition)
      throws IOException {
    return open(dir, options, registry, appliedPosition, SpaceAllocator.DISK);
  }

  /**
   * {@link #open(Path, OpLogOptions, MeterRegistry, long)} with segment space from {@code
   * allocator}.
   */
  static OpLog open(
      Path dir,
      OpLogOptions options,
      MeterRegistry registry,
      long appliedPosition,
      SpaceAllocator allocator)
      throws IOException {
    Objects.requireNonNull(options, "options");
    Files.createDirectories(dir);
    DirectoryLock dirLock = DirectoryLock.acquire(dir);
    try {
      LogRecovery.Result recovered = LogRecovery.recover(dir, appliedPosition);
      RecoveryReport report = recovered.report();
      if (registry != null) {
        Gauge.builder("kv.oplog.recovery.skipped.records", report::skippedRecords)
            .description("damaged op-log records skipped at start because the store held them")
            .register(registry);
      }
      Segment active =
          recovered.last() == null
              ? Segment.create(dir, report.lastPosition() + 1, allocator)
              : Segment.reopen(recovered.last(), allocator);
      OpLog log =
          new OpLog(
              dir,
              dirLock,
              options,
              allocator,
              FsyncMetrics.of(registry),
              recovered.sealed(),
              active,
              report);
      log.startSyncing();
      return log;
    } catch (IOException | RuntimeException e) {
      dirLock.close();
      throw e;
    }
  }

  private void startSyncing() {
    if (options.fsync() == FsyncPolicy.INTERVAL) {
      intervalSyncer =
          Executors.newSingleThreadScheduledExecutor(
              task -> {
                Thread thread = new Thread(task, "oplog-interval-sync-" + dir.getFileName());
                thread.setDaemon(true);
                return thread;
              });
      long nanos = options.fsyncInterval().toNanos();
      intervalSyncer.scheduleWithFixedDelay(this::intervalSync, nanos, nanos, TimeUnit.NANOSECONDS);
    }
  }

  public RecoveryReport recoveryReport() {
    return recoveryReport;
  }

  /**
   * Appends one record to the in-memory batch and returns its position (LSN); it reaches the file
   * at the next {@link #commitNow}. Thread-safe (appends are serialized internally; uncontended
   * must be cheap). A record that cannot be framed (key and value over {@link #MAX_PAYLOAD_BYTES})
   * is refused with an IllegalArgumentException and changes nothing.
   *
   * @param epoch the leader epoch of the primary that wrote the record
   * @param sequence the record's sequence in its partition's history
   * @param value the value of a PUT (may be empty); must be null for a DELETE
   */
  public long append(int partition, long epoch, long sequence, LogOp op, byte[] key, byte[] value)
      throws IOException {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(key, "key");
    if ((op == LogOp.DELETE) != (value == null)) {
      throw new IllegalArgumentException("a PUT needs a value and a DELETE must have none");
    }
    int frameSize = RecordFrame.frameSize(key, value);
    lock.lock();
    try {
      ensureWritable();
      if (buffer.remaining() < frameSize) {
        growBuffer(frameSize);
      }
      long position = lastPosition + 1;
      RecordFrame.encode(buffer, crc, position, partition, epoch, sequence, op, key, value);
      lastPosition = position;
      return position;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes every record appended since the last commit to the active segment (rolling to a new one
   * first when they would take it past segmentBytes) and, under ALWAYS, fsyncs them before
   * returning; returns the highest position durable under the policy (INTERVAL: a background thread
   * fsyncs every fsyncInterval; NEVER: only close fsyncs). Blocking; thread-safe.
   *
   * @throws io.samzakv.disk.NoSpaceException when the file system has no room for the records: they
   *     are dropped (as by {@link #discardUncommitted}) and the log stays usable
   * @throws IOException when a write or fsync failed; the log refuses all further work
   */
  public long commitNow() throws IOException {
    lock.lock();
    try {
      ensureWritable();
      flush();
      if (options.fsync() != FsyncPolicy.ALWAYS) {
        return lastPosition;
      }
    } finally {
      lock.unlock();
    }
    return sync();
  }

  /**
   * Drops every record appended since the last commit; the next append reuses the first of their
   * positions. For a caller whose batch failed before its commit.
   */
  public void discardUncommitted() {
    lock.lock();
    try {
      dropBuffered();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Calls consumer for every retained record with position > fromExclusive, in position order. It
   * writes out uncommitted appends first (without an fsync) and reads the segment files as they
   * were when called (appends made meanwhile are not seen); a segment deleted meanwhile by {@link
   * #deleteSegmentsThrough} ends it with an IOException.
   */
  public void replay(long fromExclusive, Consumer<LogRecord> consumer) throws IOException {
    List<SealedSegment> segments;
    lock.lock();
    try {
      ensureWritable();
      flush();
      segments = new ArrayList<>(sealed);
      segments.add(
          new SealedSegment(active.path(), active.firstPosition(), lastPosition, active.size()));
    } finally {
      lock.unlock();
    }
    for (SealedSegment segment : segments) {
      if (segment.lastPosition() > fromExclusive) {
        replay(segment, fromExclusive, consumer);
      }
    }
  }

  private static void replay(
      SealedSegment segment, long fromExclusive, Consumer<LogRecord> consumer) throws IOException {
    try (SegmentReader reader = new SegmentReader(segment.path(), segment.bytes())) {
      long previous = segment.firstPosition() - 1;
      while (true) {
        long at = reader.offset();
        SegmentReader.Status status = reader.next();
        if (status == SegmentReader.Status.END) {
          return;
        }
        if (status != SegmentReader.Status.RECORD || reader.position() != previous + 1) {
          // Damage recovery left in place (see LogRecovery) is stepped over when all it held
          // lies at or before fromExclusive; anything else is corruption.
          String problem =
              status != SegmentReader.Status.RECORD
                  ? status.problem()
                  : "position " + reader.position() + " where " + (previous + 1) + " was expected";
          SegmentReader.Resync resync = reader.resync(at, previous);
          if (resync == null || resync.position() > fromExclusive + 1) {
            throw new CorruptLogException(segment.path(), at, problem);
          }
          reader.seek(resync.offset());
          previous = resync.position() - 1;
          continue;
        }
        long position = reader.position();
        previous = position;
        if (position > fromExclusive) {
          consumer.accept(reader.record());
        }
      }
    }
  }

  /**
   * Deletes whole non-active segments all of whose records have a position {@code <= position};
   * returns how many were deleted.
   */
  public int deleteSegmentsThrough(long position) throws IOException {
    List<SealedSegment> doomed = new ArrayList<>();
    lock.lock();
    try {
      while (!sealed.isEmpty() && sealed.peekFirst().lastPosition() <= position) {
        doomed.add(sealed.pollFirst());
      }
    } finally {
      lock.unlock();
    }
    // Oldest first, so a crash part-way leaves the retained segments contiguous.
    for (SealedSegment segment : doomed) {
      Files.deleteIfExists(segment.path());
    }
    return doomed.size();
  }

  /**
   * Position of the oldest record the log still holds: 1 while no segment was ever deleted, so the
   * log alone can rebuild the whole store.
   */
  public long firstRetainedPosition() {
    lock.lock();
    try {
      return sealed.isEmpty() ? active.firstPosition() : sealed.peekFirst().firstPosition();
    } finally {
      lock.unlock();
    }
  }

  /** Position of the last record appended (0 when empty). */
  public long lastPosition() {
    return lastPosition;
  }

  /** Number of segment files currently on disk. */
  public int segmentCount() {
    lock.lock();
    try {
      return sealed.size() + 1;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The segment files on disk now and their total length, the zeros written ahead of the active
   * segment's records included. Reads the directory: call it off the event loop.
   */
  public LogFootprint footprint() throws IOException {
    int segments = 0;
    long bytes = 0;
    for (Path file : Segment.list(dir)) {
      try {
        bytes += Files.size(file);
        segments++;
      } catch (NoSuchFileException e) {
        // A checkpoint deleted it after the listing: it is no longer on disk.
      }
    }
    return new LogFootprint(segments, bytes);
  }

  /**
   * Writes out and fsyncs uncommitted appends, stops the interval thread, closes files. Idempotent.
   */
  @Override
  public void close() throws IOException {
    IOException flushFailure = null;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      // After a failed write the buffer may still hold bytes that partly reached the file:
      // writing them again would turn a torn tail that recovery cuts into damage it must refuse.
      if (failure == null) {
        flush();
      }
    } catch (NoSpaceException e) {
      // Appends never committed were never acknowledged: dropping them breaks no promise.
      LOG.log(Level.WARNING, "op log closed without disk space for its uncommitted appends", e);
    } catch (IOException e) {
      flushFailure = e;
    } finally {
      lock.unlock();
    }
    if (intervalSyncer != null) {
      stopIntervalSyncer();
    }
    lock.lock();
    try (dirLock) {
      if (flushFailure != null) {
        active.close(false);
        throw flushFailure;
      }
      boolean needed = lastPosition > durablePosition.get();
      long start = System.nanoTime();
      active.close(needed);
      if (needed) {
        recordFsync(start, lastPosition);
      }
    } finally {
      lock.unlock();
    }
  }

  private void stopIntervalSyncer() throws InterruptedIOException {
    // shutdown, not shutdownNow: interrupting a thread inside FileChannel.force closes the channel.
    intervalSyncer.shutdown();
    try {
      intervalSyncer.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the op log interval sync");
    }
  }

  /**
   * fsyncs everything written to the OS so far and returns the position that covers. Runs on the
   * interval thread or a {@link #commitNow} caller; takes the lock only to see what to force, never
   * while forcing.
   */
  private long sync() throws IOException {
    Segment segment;
    long covered;
    lock.lock();
    try {
      if (failure != null) {
        throw new IOException("op log failed earlier", failure);
      }
      segment = active;
      covered = writtenPosition;
    } finally {
      lock.unlock();
    }
    if (covered > durablePosition.get()) {
      long start = System.nanoTime();
      try {
        // A segment closed since is already durable: a roll forces the segment it closes.
        if (segment.force()) {
          recordFsync(start, covered);
        }
      } catch (IOException e) {
        // After a failed fsync the kernel may have dropped the dirty pages: nothing written can
        // be trusted durable any more, so refuse further work rather than retry.
        fail(e);
        throw e;
      }
    }
    return Math.max(covered, durablePosition.get());
  }

  /**
   * Only fsyncs what commits wrote: writing out appends here could put half of a caller's batch in
   * the file, which a later failure of that batch could then not take back.
   */
  private void intervalSync() {
    try {
      sync();
    } catch (IOException e) {
      LOG.log(Level.ERROR, "Op log fsync failed; stopping interval syncs", e);
      throw new UncheckedIOException(e);
    }
  }

  private void recordFsync(long startNanos, long covered) {
    long before = durablePosition.getAndAccumulate(covered, Math::max);
    metrics.record(System.nanoTime() - startNanos, Math.max(0, covered - before));
  }

  private void ensureWritable() throws IOException {
    if (closed) {
      throw new IllegalStateException("op log is closed");
    }
    if (failure != null) {
      throw new IOException("op log failed earlier; reopen it to recover", failure);
    }
  }

  private void fail(IOException e) {
    lock.lock();
    try {
      if (failure == null) {
        failure = e;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes the buffered frames to the active segment, into space reserved for all of them first.
   * Caller holds the lock. When the space cannot be had, nothing was written: the frames are
   * dropped and the failure thrown. A failure after that point may have left part of them in the
   * file, where appending more would hide the tear, so the log fails.
   */
  private void flush() throws IOException {
    if (buffer.position() == 0) {
      return;
    }
    int bytes = buffer.position();
    try {
      if (active.size() > 0 && active.size() + bytes > options.segmentBytes()) {
        roll();
      }
      active.reserve(bytes);
    } catch (NoSpaceException e) {
      dropBuffered();
      throw e;
    } catch (IOException | RuntimeException e) {
      // Nothing of the frames was written, but a disk that fails this way is not to be trusted
      // with the next batch either (a zero-fill or an fsync of the old segment failed).
      dropBuffered();
      failure = e instanceof IOException io ? io : new IOException(e);
      throw e;
    }
    buffer.flip();
    try {
      active.write(buffer);
    } catch (IOException | RuntimeException e) {
      failure = e instanceof IOException io ? io : new IOException(e);
      throw e;
    }
    writtenPosition = lastPosition;
    if (buffer.capacity() > BUFFER_BYTES) {
      // Give a buffer grown for one big batch back, instead of pinning it for good.
      buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    } else {
      buffer.clear();
    }
  }

  /** Forgets the frames not yet written; their positions are handed out again. Holds the lock. */
  private void dropBuffered() {
    buffer.clear();
    lastPosition = writtenPosition;
  }

  /** Makes the buffer able to take {@code frameSize} more bytes, keeping what it holds. */
  private void growBuffer(int frameSize) {
    long needed = (long) buffer.position() + frameSize;
    int capacity = (int) Math.min(Integer.MAX_VALUE, Math.max(needed, 2L * buffer.capacity()));
    ByteBuffer grown = ByteBuffer.allocateDirect(capacity);
    grown.put(buffer.flip());
    buffer = grown;
  }

  /**
   * Seals the active segment and starts the next one, named after the next position, with room for
   * the buffered frames. Caller holds the lock. The old segment is sealed (cut to its records and
   * fsynced: the price of never revisiting it) before the new one exists, so a crash at any point
   * leaves a valid log; when the new one cannot be created or given its room, it is removed and the
   * old one stays active, so a roll either happens whole or not at all.
   */
  private void roll() throws IOException {
    long start = System.nanoTime();
    boolean force = options.fsync() != FsyncPolicy.NEVER;
    active.seal(force);
    if (force) {
      recordFsync(start, writtenPosition);
    }
    Segment next;
    try {
      next = Segment.create(dir, writtenPosition + 1, allocator);
    } catch (IOException e) {
      if (Files.getFileStore(dir).getUsableSpace() < Segment.PREALLOCATED_BYTES) {
        throw new NoSpaceException("no space on the file system for a new segment in " + dir, e);
      }
      throw e;
    }
    try {
      next.reserve(buffer.position());
    } catch (IOException | RuntimeException e) {
      next.discard();
      throw e;
    }
    active.close(false);
    sealed.addLast(
        new SealedSegment(active.path(), active.firstPosition(), writtenPosition, active.size()));
    active = next;
  }
}
