package io.samzakv.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The naming rules {@code /metrics} keeps, checked without promtool: what {@code promtool check
 * metrics} lints (counters end in {@code _total}, no {@code _count}/{@code _sum}/{@code _bucket}
 * outside histograms and summaries, no abbreviated units), Prometheus' own conventions (base units:
 * seconds and bytes; every family has HELP and TYPE) and ours: every family of samza-kv's own
 * starts with {@code kv_}; only the JVM's, the process', the system's and Vert.x's keep their
 * standard names.
 */
public final class MetricNaming {
  private static final List<String> LIBRARY_PREFIXES =
      List.of("jvm_", "process_", "system_", "vertx_");
  private static final Set<String> NON_BASE_UNITS =
      Set.of(
          "ns",
          "us",
          "ms",
          "nanoseconds",
          "microseconds",
          "milliseconds",
          "minutes",
          "hours",
          "days",
          "kb",
          "mb",
          "gb",
          "kib",
          "mib",
          "gib",
          "kilobytes",
          "megabytes",
          "gigabytes",
          "percent");
  private static final Set<String> TYPES =
      Set.of("counter", "gauge", "histogram", "summary", "untyped");

  private MetricNaming() {}

  /** Every rule a family of {@code text} breaks, one line each; empty when all is well. */
  public static List<String> violations(PrometheusText text) {
    List<String> violations = new ArrayList<>();
    for (PrometheusText.Family family : text.families().values()) {
      String name = family.name();
      if (family.help() == null || family.help().isBlank()) {
        violations.add(name + ": no HELP text");
      }
      if (family.type() == null || !TYPES.contains(family.type())) {
        violations.add(name + ": TYPE " + family.type());
        continue;
      }
      boolean counter = family.type().equals("counter");
      if (counter != name.endsWith("_total")) {
        violations.add(
            name + ": a " + family.type() + (counter ? " without" : " with") + " _total");
      }
      boolean distribution = family.type().equals("histogram") || family.type().equals("summary");
      if (!distribution && name.matches(".*_(count|sum|bucket)")) {
        violations.add(name + ": a " + family.type() + " named like a histogram's series");
      }
      for (String token : name.split("_")) {
        if (NON_BASE_UNITS.contains(token)) {
          violations.add(name + ": unit '" + token + "' is not a base unit (seconds, bytes)");
        }
      }
      if (!name.startsWith("kv_") && LIBRARY_PREFIXES.stream().noneMatch(name::startsWith)) {
        violations.add(name + ": our own families start with kv_");
      }
      for (PrometheusText.Sample sample : family.samples()) {
        if (!belongsTo(sample.name(), family)) {
          violations.add(name + ": sample " + sample.name() + " does not belong to the family");
        }
      }
    }
    return violations;
  }

  private static boolean belongsTo(String sample, PrometheusText.Family family) {
    String name = family.name();
    return switch (family.type()) {
      case "histogram" -> sample.equals(name + "_bucket") || isCountOrSum(sample, name);
      case "summary" -> sample.equals(name) || isCountOrSum(sample, name);
      default -> sample.equals(name);
    };
  }

  private static boolean isCountOrSum(String sample, String family) {
    return sample.equals(family + "_count") || sample.equals(family + "_sum");
  }
}
