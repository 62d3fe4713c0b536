package io.samzakv.oplog;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

/**
 * Records every fsync the log makes: {@code kv.oplog.fsync} times it (a histogram, so its p99 can
 * be read off Prometheus as etcd's WAL fsync duration can), {@code kv.oplog.fsync.batch} counts the
 * records it made durable, which shows how well group commit amortizes it.
 *
 * <p>Thread contract: thread-safe (Micrometer meters are).
 */
final class FsyncMetrics {

  private static final FsyncMetrics NONE = new FsyncMetrics(null, null);

  private final Timer latency;
  private final DistributionSummary batch;

  private FsyncMetrics(Timer latency, DistributionSummary batch) {
    this.latency = latency;
    this.batch = batch;
  }

  static FsyncMetrics of(MeterRegistry registry) {
    if (registry == null) {
      return NONE;
    }
    return new FsyncMetrics(
        Timer.builder("kv.oplog.fsync")
            .description("Latency of op log fsyncs")
            // Buckets from 50 µs: a fsync on a fast disk is well under Micrometer's default 1 ms
            // floor.
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.of(50, ChronoUnit.MICROS))
            .maximumExpectedValue(Duration.ofSeconds(5))
            .register(registry),
        DistributionSummary.builder("kv.oplog.fsync.batch")
            .description("Op log records made durable by one fsync")
            .baseUnit("records")
            .register(registry));
  }

  void record(long nanos, long records) {
    if (latency != null) {
      latency.record(nanos, TimeUnit.NANOSECONDS);
      batch.record(records);
    }
  }
}
