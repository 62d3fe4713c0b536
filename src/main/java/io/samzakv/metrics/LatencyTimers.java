package io.samzakv.metrics;

import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;

/**
 * The one set of latency buckets every samza-kv timer publishes (HTTP requests, op-log fsyncs), so
 * their histograms line up in a dashboard and {@code /metrics} stays small: 16 explicit bounds
 * instead of Micrometer's 70-90 percentile-histogram buckets per series.
 *
 * <p>The bounds follow what this store does: a cached GET is answered in tens of microseconds
 * (25-100 µs tell a cache hit from an LMDB read); a fast disk fsyncs in 50 µs to a few ms, and an
 * fsynced PUT takes 1-10 ms (1, 2.5, 5, 10 ms resolve the p99 that matters, etcd's WAL fsync alarm
 * sits at 10 ms); scans and batches take tens to hundreds of ms; anything past a second is a stall
 * (a slow disk, a GC pause, a map resize) and 1 s / 5 s / +Inf only need to show it happened.
 */
public final class LatencyTimers {
  private static final List<Duration> BUCKETS =
      List.of(
          micros(25),
          micros(50),
          micros(100),
          micros(250),
          micros(500),
          Duration.ofMillis(1),
          micros(2_500),
          Duration.ofMillis(5),
          Duration.ofMillis(10),
          Duration.ofMillis(25),
          Duration.ofMillis(50),
          Duration.ofMillis(100),
          Duration.ofMillis(250),
          Duration.ofMillis(500),
          Duration.ofSeconds(1),
          Duration.ofSeconds(5));

  private LatencyTimers() {}

  /**
   * A timer builder with these buckets and no percentile histogram: Prometheus gets a histogram of
   * the 16 bounds plus {@code +Inf}, whose quantiles {@code histogram_quantile} estimates.
   */
  public static Timer.Builder builder(String name) {
    return Timer.builder(name).serviceLevelObjectives(BUCKETS.toArray(Duration[]::new));
  }

  private static Duration micros(long micros) {
    return Duration.ofNanos(micros * 1_000);
  }
}
