package io.samzakv.store;

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
 * <p>Thread contract: runs on its own scheduler thread; {@link #checkpoint} may also be called
 * directly once that thread is stopped (at shutdown).
 */
final class Checkpointer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Checkpointer.class.getName());

  private final OpLog log;
  private final StorageEngine storage;
  private final ScheduledExecutorService scheduler;

  Checkpointer(OpLog log, StorageEngine storage, Duration interval) {
    this.log = log;
    this.storage = storage;
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
    log.deleteSegmentsThrough(durable);
    return durable;
  }

  private void checkpointQuietly() {
    try {
      checkpoint();
    } catch (IOException | RuntimeException e) {
      // The log keeps every segment until a checkpoint succeeds, so nothing is lost by waiting.
      LOG.log(Level.WARNING, "checkpoint failed; will retry", e);
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
