package io.samzakv.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.samzakv.codec.ValueCodec;
import io.samzakv.kv.PartitionCheck;
import io.samzakv.storage.PartitionScrub;
import io.samzakv.storage.StorageCorruptException;
import io.samzakv.storage.StorageEngine;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds every partition against its evidence (etcd's corruption check is the model): the engine
 * recounts and re-digests the partition in one snapshot, and each value's CRC32C is checked through
 * the codec. A partition whose evidence does not match is marked damaged in {@link
 * PartitionHealth}; values that fail their CRC32C are reported and logged. Runs at start (on the
 * starting thread, within a time budget), every interval in the background, and on demand.
 *
 * <p>Thread contract: {@link #atStart} on the starting thread before anything else uses the store;
 * afterwards every scrub runs on this scrubber's own thread, one at a time.
 */
final class Scrubber implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Scrubber.class.getName());

  private final StorageEngine storage;
  private final ValueCodec codec;
  private final PartitionHealth health;
  private final ScheduledExecutorService thread;

  /** The on-demand scrub waiting for the thread, if any. */
  private final AtomicReference<CompletableFuture<List<PartitionCheck>>> queued =
      new AtomicReference<>();

  private final Counter runs;
  private volatile long lastNanos;

  Scrubber(
      StorageEngine storage, ValueCodec codec, PartitionHealth health, MeterRegistry registry) {
    this.storage = storage;
    this.codec = codec;
    this.health = health;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread scrubber = new Thread(runnable, "kv-scrubber");
              scrubber.setDaemon(true);
              return scrubber;
            });
    this.runs =
        Counter.builder("kv.scrub.runs")
            .description("completed scrubs of every partition")
            .register(registry);
    Gauge.builder("kv.scrub.last.duration.seconds", this, s -> s.lastNanos / 1e9)
        .description("how long the last complete scrub took")
        .register(registry);
    Gauge.builder("kv.partitions.corrupt", health, PartitionHealth::corruptCount)
        .description("partitions marked damaged: they answer 503 partition_corrupt")
        .register(registry);
  }

  /**
   * Scrubs {@code first} whatever the budget (the partitions the start-up replay is about to write
   * into: a write into a damaged page can abort the process), then the others in order until {@code
   * budget} is spent, so a small store is fully checked before it serves and a large one does not
   * delay start by minutes; returns the partitions it did not reach, which {@link #schedule} scrubs
   * first.
   */
  List<Integer> atStart(Duration budget, Set<Integer> first) {
    long begin = System.nanoTime();
    long deadline = begin + budget.toNanos();
    first.forEach(this::check);
    List<Integer> left = new ArrayList<>();
    for (int p = 0; p < storage.partitionCount(); p++) {
      if (first.contains(p)) {
        continue;
      }
      if (System.nanoTime() > deadline) {
        left.add(p);
      } else {
        check(p);
      }
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
    if (left.isEmpty()) {
      lastNanos = System.nanoTime() - begin;
      runs.increment();
      LOG.log(
          Level.INFO,
          "start-up scrub: {0,number,#} partitions checked in {1,number,#} ms, {2,number,#} damaged",
          storage.partitionCount(),
          millis,
          health.corruptCount());
    } else {
      LOG.log(
          Level.WARNING,
          "start-up scrub: budget of {0,number,#} ms spent; {1,number,#} partitions are served"
              + " before their first scrub, which runs now in the background",
          budget.toMillis(),
          left.size());
    }
    return left;
  }

  /**
   * Starts background work: first the partitions {@link #atStart} left, then a full scrub every
   * {@code interval} (zero: never).
   */
  void schedule(List<Integer> leftAtStart, Duration interval) {
    if (!leftAtStart.isEmpty()) {
      thread.execute(() -> leftAtStart.forEach(this::checkQuietly));
    }
    if (!interval.isZero()) {
      long millis = interval.toMillis();
      thread.scheduleWithFixedDelay(this::scrubQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * A full scrub on the scrubber's thread, after any that is running. Requests that arrive while
   * one waits to start share it, so at most one scrub runs and one waits however often an operator
   * (or a script in a loop) asks.
   */
  CompletableFuture<List<PartitionCheck>> scrubNow() {
    CompletableFuture<List<PartitionCheck>> fresh = new CompletableFuture<>();
    CompletableFuture<List<PartitionCheck>> waiting = queued.compareAndExchange(null, fresh);
    if (waiting != null) {
      return waiting;
    }
    thread.execute(
        () -> {
          queued.compareAndSet(fresh, null);
          try {
            fresh.complete(scrubAll());
          } catch (RuntimeException e) {
            fresh.completeExceptionally(e);
          }
        });
    return fresh;
  }

  private List<PartitionCheck> scrubAll() {
    long begin = System.nanoTime();
    List<PartitionCheck> checks = new ArrayList<>(storage.partitionCount());
    for (int p = 0; p < storage.partitionCount(); p++) {
      checks.add(check(p));
    }
    lastNanos = System.nanoTime() - begin;
    runs.increment();
    return checks;
  }

  /** Scrubs one partition; a failure marks it damaged (and stays marked until repaired). */
  private PartitionCheck check(int partition) {
    PartitionScrub scrub;
    try {
      scrub = storage.scrub(partition, codec::intact);
    } catch (StorageCorruptException e) {
      // Damage in the meta database is the whole file's, not this partition's.
      health.damaged(e);
      return new PartitionCheck(partition, false, 0, e.getMessage());
    }
    if (!scrub.matchesEvidence()) {
      health.markCorrupt(partition, "scrub: " + scrub.describe());
    } else if (scrub.badValues() > 0) {
      // The evidence holds, so every key is where it should be; each bad value already answers
      // 500 "corrupt" on its own and an unconditional write replaces it. The partition serves on.
      LOG.log(
          Level.ERROR,
          "partition {0}: {1} (those keys answer 500 corrupt until overwritten)",
          partition,
          scrub.describe());
    }
    return new PartitionCheck(partition, scrub.intact(), scrub.found().entries(), scrub.describe());
  }

  private void checkQuietly(int partition) {
    try {
      check(partition);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "scrub of partition " + partition + " failed; will retry", e);
    }
  }

  private void scrubQuietly() {
    try {
      scrubAll();
    } catch (RuntimeException e) {
      // An engine closing under the scrub, say; the next interval tries again.
      LOG.log(Level.WARNING, "background scrub failed; will retry", e);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
