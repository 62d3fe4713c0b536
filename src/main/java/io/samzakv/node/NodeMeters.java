package io.samzakv.node;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;

/**
 * The registry behind {@code /metrics}, and the node's meters that belong to no part of it: which
 * build runs and how long the store took to recover at start.
 */
final class NodeMeters {
  private NodeMeters() {}

  /** A Prometheus registry that applies {@link MeterNaming} to everything registered on it. */
  static PrometheusMeterRegistry registry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // First thing: a filter only applies to the meters registered after it.
    registry.config().meterFilter(new MeterNaming());
    return registry;
  }

  /** {@code kv_build_info{version="..."} 1}, the Prometheus way to export a build's labels. */
  static void buildInfo(MeterRegistry registry, BuildInfo build) {
    Gauge.builder("kv.build.info", () -> 1)
        .description("Always 1; the version label names the build this node runs")
        .tag("version", build.version())
        .register(registry);
  }

  /**
   * {@code kv_recovery_seconds}: opening LMDB, checking the op log and replaying it into LMDB at
   * start; a restart takes at least this long before the node is ready.
   */
  static void recoveryTime(MeterRegistry registry, long nanos) {
    TimeGauge.builder("kv.recovery", () -> nanos, TimeUnit.NANOSECONDS)
        .description(
            "Wall time the store took at start to open LMDB, check the op log and replay it")
        .register(registry);
  }
}
