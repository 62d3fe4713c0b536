package io.samzakv.oplog;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.samzakv.metrics.LatencyTimers;
import java.util.concurrent.TimeUnit;

/**
 * Records every fsync the log makes: {@code kv.oplog.fsync} times it (a histogram of {@link
 * LatencyTimers}' buckets, so its p99 can be read off Prometheus as etcd's WAL fsync duration can),
 * {@code kv.oplog.fsync.batch} counts the records it made durable, which shows how well group
 * commit amortizes it.
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
        LatencyTimers.builder("kv.oplog.fsync")
            .description("Latency of op log fsyncs")
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
