package io.samzakv.store;

import io.samzakv.oplog.LogFootprint;
import io.samzakv.oplog.OpLog;
import io.samzakv.storage.StorageEngine;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the op log bounded: periodically forces the engine to disk, after which every log segment
 * wholly at or below the engine's applied position is redundant and deleted. Under endless
 * overwrites the disk holds the live data plus at most one interval's worth of log.
 *
 * <p>It also keeps what {@code /metrics} reports about the log: the checkpoint lag and the log's
 * files, listed here after each checkpoint rather than on a scrape's event loop.
 *
 * <p>Thread contract: runs on its own scheduler thread; {@link #checkpoint} may also be called
 * directly once that thread is stopped (at shutdown). {@link #lag} and {@link #footprint} from any
 * thread.
 */
final class Checkpointer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Checkpointer.class.getName());

  private final OpLog log;
  private final StorageEngine storage;
  private final ScheduledExecutorService scheduler;

  /** The position the last checkpoint made durable in the engine; read by metrics. */
  private volatile long checkpointed;

  /** The op log's files as of the last checkpoint (or start); read by metrics. */
  private volatile LogFootprint footprint;

  /**
   * Starts checkpointing every {@code interval}; {@code checkpointed} is the position the engine
   * held at start, before recovery replayed the log into it.
   */
  Checkpointer(OpLog log, StorageEngine storage, Duration interval, long checkpointed) {
    this.log = log;
    this.storage = storage;
    this.checkpointed = checkpointed;
    this.footprint = new LogFootprint(0, 0);
    refreshFootprint();
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "kv-checkpointer");
              thread.setDaemon(true);
              return thread;
            });
    long millis = interval.toMillis();
    scheduler.scheduleWithFixedDelay(
        this::checkpointQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Forces the engine and drops the segments it covers; returns the position now durable. */
  long checkpoint() throws IOException {
    long durable = storage.sync();
    checkpointed = durable;
    log.deleteSegmentsThrough(durable);
    return durable;
  }

  /**
   * Op-log positions appended since the last checkpoint: what recovery replays after a crash now,
   * at most. It grows while checkpoints fail, and so does the log.
   */
  long lag() {
    return Math.max(0, log.lastPosition() - checkpointed);
  }

  /**
   * The op log's segment files as of the last checkpoint attempt: never older than one interval.
   */
  LogFootprint footprint() {
    return footprint;
  }

  private void checkpointQuietly() {
    try {
      checkpoint();
    } catch (IOException | RuntimeException e) {
      // The log keeps every segment until a checkpoint succeeds, so nothing is lost by waiting.
      LOG.log(Level.WARNING, "checkpoint failed; will retry", e);
    }
    refreshFootprint();
  }

  /** Lists the log's files here, so that a metrics scrape never touches the disk. */
  private void refreshFootprint() {
    try {
      footprint = log.footprint();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot list the op-log files for /metrics", e);
    }
  }

  @Override
  public void close() {
    scheduler.shutdown();
    try {
      scheduler.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
