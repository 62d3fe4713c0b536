package io.samzakv.oplog;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
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
 * <p>Appends are encoded into one reusable direct buffer and reach the OS only in batches (at a
 * commit, when the buffer fills, on a roll), so the PUT path costs no syscall per record.
 * Durability follows {@link FsyncPolicy}. There are two ways to commit: {@link #commitNow} fsyncs
 * on the caller's thread, for a single writer that batches its own appends (the node's write
 * pipeline); {@link #commit()} returns a future, and with ALWAYS a {@link GroupCommitter} shares
 * each fsync among all the concurrent committers waiting for it.
 *
 * <p>Thread contract: every public method is thread-safe. Appends, flushes, rolls and the segment
 * list are guarded by one lock, held only for memory copies and the occasional write or roll, never
 * across an fsync of the active segment; fsyncs run on the sync thread or a {@link #commitNow}
 * caller (ALWAYS) or the interval thread (INTERVAL). {@link #replay} reads files outside the lock.
 */
public final class OpLog implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(OpLog.class.getName());

  /** Starting size of the append buffer; a bigger record grows it until the next flush. */
  private static final int BUFFER_BYTES = 256 << 10;

  /** Appends without a commit are written out past this, to bound what a crash can lose. */
  private static final int FLUSH_BYTES = 64 << 10;

  private final Path dir;
  private final DirectoryLock dirLock;
  private final OpLogOptions options;
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

  private GroupCommitter committer;
  private ScheduledExecutorService intervalSyncer;

  private OpLog(
      Path dir,
      DirectoryLock dirLock,
      OpLogOptions options,
      FsyncMetrics metrics,
      List<SealedSegment> sealed,
      Segment active,
      RecoveryReport recoveryReport) {
    this.dir = dir;
    this.dirLock = dirLock;
    this.options = options;
    this.metrics = metrics;
    this.sealed = new ArrayDeque<>(sealed);
    this.active = active;
    this.recoveryReport = recoveryReport;
    this.lastPosition = recoveryReport.lastPosition();
    this.writtenPosition = lastPosition;
    this.durablePosition = new AtomicLong(lastPosition);
  }

  /**
   * Opens or creates the log in dir, validating segments: a torn tail (a short or checksum-failing
   * record at the very end of the last segment, followed by nothing but EOF or zero bytes) is
   * truncated (and fsynced) and reported via System.Logger at WARNING and via recoveryReport(); a
   * bad record with valid data after it, or in a non-last segment, throws CorruptLogException
   * naming file and offset. registry may be null (then no metrics).
   */
  public static OpLog open(Path dir, OpLogOptions options, MeterRegistry registry)
      throws IOException {
    Objects.requireNonNull(options, "options");
    Files.createDirectories(dir);
    DirectoryLock dirLock = DirectoryLock.acquire(dir);
    try {
      LogRecovery.Result recovered = LogRecovery.recover(dir);
      RecoveryReport report = recovered.report();
      if (report.tornTail()) {
        LOG.log(
            Level.WARNING,
            () ->
                "Truncated a torn tail of "
                    + report.bytesTruncated()
                    + " bytes from op log segment "
                    + report.file()
                    + " at byte offset "
                    + report.offset()
                    + "; the log now ends at position "
                    + report.lastPosition());
      }
      Segment active =
          recovered.last() == null ? Segment.create(dir, 1) : Segment.reopen(recovered.last());
      OpLog log =
          new OpLog(
              dir, dirLock, options, FsyncMetrics.of(registry), recovered.sealed(), active, report);
      log.startSyncing();
      return log;
    } catch (IOException | RuntimeException e) {
      dirLock.close();
      throw e;
    }
  }

  private void startSyncing() {
    switch (options.fsync()) {
      case ALWAYS -> committer = new GroupCommitter("oplog-sync-" + dir.getFileName(), this::sync);
      case INTERVAL -> {
        intervalSyncer =
            Executors.newSingleThreadScheduledExecutor(
                task -> {
                  Thread thread = new Thread(task, "oplog-interval-sync-" + dir.getFileName());
                  thread.setDaemon(true);
                  return thread;
                });
        long nanos = options.fsyncInterval().toNanos();
        intervalSyncer.scheduleWithFixedDelay(
            this::intervalSync, nanos, nanos, TimeUnit.NANOSECONDS);
      }
      case NEVER -> {}
    }
  }

  public RecoveryReport recoveryReport() {
    return recoveryReport;
  }

  /**
   * Appends one record; thread-safe (appends are serialized internally; uncontended must be cheap).
   * Returns its position (LSN). Bytes may sit in an in-memory buffer until commit(). Rolls to a new
   * segment when the active one passes segmentBytes (the old segment is flushed and fsynced before
   * it is closed, unless policy NEVER).
   *
   * @param value the value of a PUT (may be empty); must be null for a DELETE
   */
  public long append(int partition, LogOp op, byte[] key, byte[] value) throws IOException {
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
        makeRoom(frameSize);
      }
      long position = lastPosition + 1;
      RecordFrame.encode(buffer, crc, position, partition, op, key, value);
      lastPosition = position;
      if (active.size() + buffer.position() >= options.segmentBytes()) {
        roll();
      } else if (buffer.position() >= FLUSH_BYTES) {
        flush();
      }
      return position;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes everything appended so far to the OS and returns a future completed with the highest
   * position that is durable under the policy. ALWAYS: completes after an fsync that covers every
   * record appended before this call; concurrent commits share one fsync (group commit) and their
   * futures complete in position order, on the sync thread. INTERVAL: completes at once; a
   * background thread fsyncs every fsyncInterval. NEVER: completes at once, never fsyncs (except at
   * close). Thread-safe.
   */
  public CompletableFuture<Long> commit() {
    lock.lock();
    try {
      ensureWritable();
      flush();
      // Submitting under the lock keeps the committer's queue in position order, and keeps
      // close() from stopping the committer between our check and our submit.
      return options.fsync() == FsyncPolicy.ALWAYS
          ? committer.submit(lastPosition)
          : CompletableFuture.completedFuture(lastPosition);
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@link #commit()} on the calling thread: writes everything appended so far to the OS and, under
   * ALWAYS, fsyncs it before returning; returns the highest position durable under the policy. A
   * caller that gathers many writes per call (the write pipeline) gets group commit from that
   * alone, without handing each batch to the sync thread and back. Blocking; thread-safe.
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
   * Calls consumer for every retained record with position > fromExclusive, in position order. It
   * reads the segment files as they were when called (appends made meanwhile are not seen); a
   * segment deleted meanwhile by {@link #deleteSegmentsThrough} ends it with an IOException.
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
        if (status != SegmentReader.Status.RECORD) {
          throw new CorruptLogException(segment.path(), at, status.problem());
        }
        long position = reader.position();
        if (position != previous + 1) {
          throw new CorruptLogException(
              segment.path(),
              at,
              "position " + position + " where " + (previous + 1) + " was expected");
        }
        previous = position;
        if (position > fromExclusive) {
          consumer.accept(reader.record());
        }
      }
    }
  }

  /**
   * Deletes whole non-active segments all of whose records have position <= position; returns how
   * many were deleted.
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
   * Flushes, fsyncs, stops the sync threads (failing nothing that was appended: pending commits
   * complete), closes files. Idempotent.
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
      flush();
    } catch (IOException e) {
      flushFailure = e;
    } finally {
      lock.unlock();
    }
    if (committer != null) {
      committer.close();
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
   * sync or interval thread, or a {@link #commitNow} caller; takes the lock only to see what to
   * force, never while forcing.
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

  private void intervalSync() {
    try {
      lock.lock();
      try {
        if (!closed) {
          flush();
        }
      } finally {
        lock.unlock();
      }
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

  /** Writes the buffered frames to the active segment. Caller holds the lock. */
  private void flush() throws IOException {
    if (buffer.position() == 0) {
      return;
    }
    buffer.flip();
    try {
      active.write(buffer);
    } catch (IOException e) {
      // Part of a frame may have reached the file; appending after it would hide the tear.
      failure = e;
      throw e;
    }
    writtenPosition = lastPosition;
    if (buffer.capacity() > BUFFER_BYTES) {
      // Give a buffer grown for one huge record back, instead of pinning it for good.
      buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    } else {
      buffer.clear();
    }
  }

  /** Makes the buffer able to take a frame of frameSize bytes. Caller holds the lock. */
  private void makeRoom(int frameSize) throws IOException {
    flush();
    if (buffer.capacity() < frameSize) {
      buffer = ByteBuffer.allocateDirect(frameSize);
    }
  }

  /**
   * Seals the active segment and starts the next one, named after the next position. Caller holds
   * the lock. The fsync here is the price of never needing to revisit a sealed segment.
   */
  private void roll() throws IOException {
    flush();
    try {
      if (options.fsync() == FsyncPolicy.NEVER) {
        active.close(false);
      } else {
        long start = System.nanoTime();
        active.close(true);
        recordFsync(start, lastPosition);
      }
      sealed.addLast(
          new SealedSegment(active.path(), active.firstPosition(), lastPosition, active.size()));
      active = Segment.create(dir, lastPosition + 1);
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }
}
