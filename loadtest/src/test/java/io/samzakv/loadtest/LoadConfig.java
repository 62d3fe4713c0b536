package io.samzakv.loadtest;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Every knob of a run, read once from {@code -D} system properties. A simulation may give its own
 * defaults (SmokeSimulation runs briefly with few users, each simulation has its own latency
 * bound); a {@code -D} on the command line always wins.
 *
 * @param baseUrls nodes to spread the virtual users over, round robin
 * @param users virtual users per scenario; each keeps one keep-alive connection and sends its next
 *     request when the previous answer arrives (a closed workload)
 * @param duration how long each virtual user keeps going; a started iteration always finishes
 * @param keys preloaded keys {@code key-0 .. key-(keys-1)}
 * @param valueBytes size of their values
 * @param hotKeys counters that CasSimulation increments
 * @param casRetries conflicts after which a CAS increment gives up
 * @param scanLimit {@code limit} of one scan page
 * @param scanPages pages one scan follows through {@code next} before it starts elsewhere
 * @param batchOps operations per {@code POST /v1/batch}
 * @param largeKeys keys {@code large-0 .. large-(largeKeys-1)} for LargeValueSimulation
 * @param largeValueBytes size of their values
 * @param p99Ms the run fails if the 99th percentile response time reaches this
 * @param maxFailedPercent the run fails if more requests than this fail
 */
public record LoadConfig(
    List<String> baseUrls,
    int users,
    Duration duration,
    int keys,
    int valueBytes,
    int hotKeys,
    int casRetries,
    int scanLimit,
    int scanPages,
    int batchOps,
    int largeKeys,
    int largeValueBytes,
    int p99Ms,
    double maxFailedPercent) {

  private static final Map<String, String> DEFAULTS =
      Map.ofEntries(
          Map.entry("baseUrls", "http://127.0.0.1:8080"),
          Map.entry("users", "64"),
          Map.entry("duration", "60"),
          Map.entry("keys", "100000"),
          Map.entry("valueBytes", "100"),
          Map.entry("hotKeys", "8"),
          Map.entry("casRetries", "100"),
          Map.entry("scanLimit", "100"),
          Map.entry("scanPages", "10"),
          Map.entry("batchOps", "100"),
          Map.entry("largeKeys", "256"),
          Map.entry("largeValueBytes", "65536"),
          Map.entry("p99Ms", "200"),
          Map.entry("maxFailedPercent", "0"));

  /** The configuration of this run: {@code -D} properties over the simulation's defaults. */
  public static LoadConfig load(Map<String, String> simulationDefaults) {
    Settings settings = new Settings(simulationDefaults);
    LoadConfig config =
        new LoadConfig(
            Arrays.stream(settings.get("baseUrls").split(","))
                .map(String::strip)
                .filter(url -> !url.isEmpty())
                .toList(),
            settings.positive("users"),
            Duration.ofSeconds(settings.positive("duration")),
            settings.positive("keys"),
            settings.positive("valueBytes"),
            settings.positive("hotKeys"),
            settings.positive("casRetries"),
            settings.positive("scanLimit"),
            settings.positive("scanPages"),
            settings.positive("batchOps"),
            settings.positive("largeKeys"),
            settings.positive("largeValueBytes"),
            settings.positive("p99Ms"),
            Double.parseDouble(settings.get("maxFailedPercent")));
    if (config.baseUrls().isEmpty()) {
      throw new IllegalArgumentException("-DbaseUrls names no node");
    }
    if (config.batchOps() > 1000) {
      throw new IllegalArgumentException("-DbatchOps: a batch holds at most 1000 ops");
    }
    System.out.println("load test configuration: " + config);
    return config;
  }

  private record Settings(Map<String, String> simulationDefaults) {
    String get(String name) {
      return System.getProperty(name, simulationDefaults.getOrDefault(name, DEFAULTS.get(name)));
    }

    int positive(String name) {
      int value;
      try {
        value = Integer.parseInt(get(name).strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("-D" + name + ": not a number: " + get(name));
      }
      if (value <= 0) {
        throw new IllegalArgumentException("-D" + name + ": must be positive, not " + value);
      }
      return value;
    }
  }
}
