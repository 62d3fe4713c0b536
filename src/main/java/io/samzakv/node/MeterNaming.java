package io.samzakv.node;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;

/**
 * The node's naming rules for the meters that libraries name, so {@code /metrics} passes {@code
 * promtool check metrics} and every family of ours starts with {@code kv_}: Caffeine's {@code
 * cache.*} (the value cache) becomes {@code kv.cache.*}; Micrometer's CPU time in nanoseconds
 * ({@code process_cpu_time_ns_total}, an abbreviated unit) is dropped for {@link JvmMeters}' {@code
 * process_cpu_seconds_total}; and {@code system.cpu.count}, which reads as a histogram's count, is
 * {@code system.cpus}. JVM, process, system and Vert.x families otherwise keep their standard
 * names.
 */
final class MeterNaming implements MeterFilter {
  private static final String CACHE_PREFIX = "cache.";

  @Override
  public MeterFilterReply accept(Meter.Id id) {
    return id.getName().equals("process.cpu.time")
        ? MeterFilterReply.DENY
        : MeterFilterReply.NEUTRAL;
  }

  @Override
  public Meter.Id map(Meter.Id id) {
    String name = id.getName();
    if (name.equals("system.cpu.count")) {
      return id.withName("system.cpus");
    }
    return name.startsWith(CACHE_PREFIX) ? id.withName("kv." + name) : id;
  }
}
