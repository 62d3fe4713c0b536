package io.samzakv.node;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.lang.management.ManagementFactory;

/**
 * The JVM's own meters on {@code /metrics}: heap and its live size after GC, GC pauses, threads,
 * CPU and uptime, the figures an operator checks first for a leak or a GC storm. {@link
 * MeterNaming} fixes the names of two of them.
 *
 * <p>Thread contract: bind and close from one thread (start-up and stop).
 */
final class JvmMeters implements AutoCloseable {
  private final JvmGcMetrics gc = new JvmGcMetrics();

  JvmMeters(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    gc.bindTo(registry);
    processCpuSeconds(registry);
  }

  /**
   * {@code process_cpu_seconds_total}, the name Prometheus' own clients give it: Micrometer counts
   * it in nanoseconds under a name promtool refuses (see {@link MeterNaming}).
   */
  private static void processCpuSeconds(MeterRegistry registry) {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
        && os.getProcessCpuTime() >= 0) {
      FunctionCounter.builder("process.cpu", os, bean -> bean.getProcessCpuTime() / 1e9)
          .description("CPU time used by the JVM process")
          .baseUnit("seconds")
          .register(registry);
    }
  }

  /** Removes the GC notification listeners, which would otherwise outlive the node. */
  @Override
  public void close() {
    gc.close();
  }
}
