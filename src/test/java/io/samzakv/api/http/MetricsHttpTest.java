package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.samzakv.testing.MetricNaming;
import io.samzakv.testing.PrometheusText;
import io.samzakv.testing.PrometheusText.Family;
import io.samzakv.testing.PrometheusText.Sample;
import java.io.File;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /metrics} after a few hundred requests of every kind: small, with a short histogram per
 * timed route and none for the probes, named as Prometheus and promtool want, and with the families
 * an operator watches (write queue, LMDB space, op log, checkpoint lag, recovery, build).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsHttpTest {
  /**
   * The whole exposition after the traffic below: 27 KB today, ~100 KB with the percentile
   * histograms it had; the room is for families still to come.
   */
  private static final int MAX_BYTES = 40 << 10;

  private static final List<String> PROBES = List.of("/health", "/ready", "/metrics");

  @RegisterExtension static final HttpNode node = new HttpNode(Map.of());

  private static HttpResponse<byte[]> response;
  private static String text;
  private static PrometheusText metrics;

  /** About 400 requests: writes, reads, misses, deletes, scans, batches, bad requests, probes. */
  @BeforeAll
  static void driveTraffic() {
    KvHttp http = node.http();
    byte[] value = "v".repeat(100).getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 60; i++) {
      http.put("m/" + i, value);
      http.get("m/" + i);
      http.get("m/" + i);
      http.get("absent/" + i);
      if (i % 3 == 0) {
        http.delete("m/" + i);
      }
      if (i % 5 == 0) {
        http.put("m/" + i, value, "If-Match", "\"not-a-version\"");
        http.get("/v1/kv?prefix=m/&limit=10", new String[0]);
        http.post("/v1/batch", "{\"ops\":[{\"op\":\"get\",\"key\":\"m/1\"}]}");
      }
      http.get("/health", new String[0]);
      http.get("/ready", new String[0]);
      if (i % 6 == 0) {
        http.get("/metrics", new String[0]);
      }
    }
    response = http.get("/metrics", new String[0]);
    text = KvHttp.text(response);
    metrics = PrometheusText.parse(text);
  }

  @Test
  void isPrometheusTextVersion004AndStaysSmall() {
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/plain; version=0.0.4");
    assertThat(text.getBytes(StandardCharsets.UTF_8).length)
        .as("bytes of /metrics after ~400 requests")
        .isLessThan(MAX_BYTES);
  }

  @Test
  void probesAreCountedByStatusButNotTimed() {
    assertThat(metrics.family("kv_http_requests_seconds").samples())
        .extracting(sample -> sample.labels().get("route"))
        .doesNotContainAnyElementsOf(PROBES);
    Map<String, Double> probes = new HashMap<>();
    for (Sample sample : metrics.family("kv_http_probes_total").samples()) {
      assertThat(sample.labels().get("code")).isEqualTo("200");
      probes.put(sample.labels().get("route"), sample.value());
    }
    assertThat(probes.get("/health")).isEqualTo(60);
    assertThat(probes.get("/ready")).isGreaterThanOrEqualTo(60);
    assertThat(probes.get("/metrics")).isEqualTo(10);
  }

  @Test
  void everyLatencyHistogramHasTenToTwentyCumulativeBucketsEndingAtItsCount() {
    for (String name : List.of("kv_http_requests_seconds", "kv_oplog_fsync_seconds")) {
      Family family = metrics.family(name);
      assertThat(family.type()).isEqualTo("histogram");
      Map<Map<String, String>, List<Sample>> bucketsBySeries = new LinkedHashMap<>();
      Map<Map<String, String>, Double> countBySeries = new HashMap<>();
      for (Sample sample : family.samples()) {
        Map<String, String> series = new LinkedHashMap<>(sample.labels());
        series.remove("le");
        if (sample.name().endsWith("_bucket")) {
          bucketsBySeries.computeIfAbsent(series, s -> new ArrayList<>()).add(sample);
        } else if (sample.name().endsWith("_count")) {
          countBySeries.put(series, sample.value());
        }
      }
      assertThat(bucketsBySeries).as(name + " series").isNotEmpty();
      bucketsBySeries.forEach(
          (series, buckets) -> {
            assertThat(buckets).as(name + series).hasSizeBetween(10, 20);
            assertThat(buckets.get(buckets.size() - 1).labels().get("le")).isEqualTo("+Inf");
            assertThat(buckets)
                .extracting(Sample::value)
                .as(name + series + " is cumulative")
                .isSorted();
            assertThat(buckets.get(buckets.size() - 1).value())
                .isEqualTo(countBySeries.get(series));
          });
    }
    assertThat(metrics.family("kv_http_requests_seconds").samples())
        .as("every timed route and status seen")
        .extracting(sample -> sample.labels().get("route") + " " + sample.labels().get("code"))
        .contains("/v1/kv/* 201", "/v1/kv/* 200", "/v1/kv/* 404", "/v1/kv/* 400", "/v1/kv 200")
        .contains("/v1/batch 200");
  }

  @Test
  void namesFollowPrometheusConventionsAndOwnFamiliesStartWithKv() {
    assertThat(MetricNaming.violations(metrics)).isEmpty();
  }

  @Test
  void anOperatorSeesTheWritePathStorageOpLogRecoveryAndBuild() {
    assertThat(gauge("kv_write_queue_depth")).isZero();
    assertThat(gauge("kv_write_queue_rejections_total")).isZero();
    double map = gauge("kv_lmdb_map_bytes");
    double used = gauge("kv_lmdb_used_bytes");
    assertThat(used).isPositive().isLessThanOrEqualTo(map);
    assertThat(gauge("kv_oplog_segments")).isGreaterThanOrEqualTo(1);
    // The files are listed at each checkpoint (every 5 s): the first one after the writes counts
    // their bytes (the new node's only segment was empty when it started).
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(
                        gauge(
                            PrometheusText.parse(
                                KvHttp.text(node.http().get("/metrics", new String[0]))),
                            "kv_oplog_bytes"))
                    .isPositive());
    // 60 puts and 20 deletes reached the log (the 12 malformed conditional puts did not); a
    // checkpoint every 5 s may have covered some of them.
    assertThat(gauge("kv_checkpoint_lag_records")).isBetween(0.0, 80.0);
    assertThat(gauge("kv_recovery_seconds")).isPositive();
    Sample build = metrics.family("kv_build_info").samples().get(0);
    assertThat(build.value()).isEqualTo(1);
    assertThat(build.labels().get("version")).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(metrics.family("kv_alarm").samples())
        .extracting(sample -> sample.labels().get("alarm"))
        .contains("no_space", "write_path_failed", "corrupt");
    assertThat(metrics.family("kv_cache_gets_total").samples()).isNotEmpty();
    assertThat(metrics.family("process_cpu_seconds_total").samples().get(0).value()).isPositive();
  }

  /**
   * {@code promtool check metrics} finds nothing to complain about. Runs where promtool is on the
   * PATH (Debian: {@code apt-get install prometheus}); {@link MetricNaming} keeps the rules
   * everywhere else.
   */
  @Test
  void promtoolFindsNothingToComplainAbout() throws Exception {
    Optional<Path> promtool = onPath("promtool");
    assumeTrue(promtool.isPresent(), "promtool is not on the PATH; skipping its check");
    Process check =
        new ProcessBuilder(promtool.get().toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    try (OutputStream in = check.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    String said = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(said).isEmpty();
    assertThat(check.exitValue()).isZero();
  }

  private static double gauge(String name) {
    return gauge(metrics, name);
  }

  private static double gauge(PrometheusText scrape, String name) {
    List<Sample> samples = scrape.family(name).samples();
    assertThat(samples).as(name).hasSize(1);
    return samples.get(0).value();
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    try (Stream<String> dirs = Stream.of(path.split(File.pathSeparator))) {
      return dirs.filter(dir -> !dir.isEmpty())
          .map(dir -> Path.of(dir, program))
          .filter(Files::isExecutable)
          .findFirst();
    }
  }
}
