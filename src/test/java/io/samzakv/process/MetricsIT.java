package io.samzakv.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.testing.MetricNaming;
import io.samzakv.testing.PrometheusText;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of the real jar, as a Prometheus server scrapes it: the build it names (Maven
 * writes the version into the jar), names that follow the rules, and what a restart after {@code
 * kill -9} reports about recovery and the store.
 */
class MetricsIT {
  private static final int KEYS = 200;

  @TempDir Path dir;

  @RegisterExtension final NodeProcesses nodes = new NodeProcesses();
  private final HttpClient client = WriteLoad.newClient();

  @Test
  void theJarNamesItsBuildAndAfterACrashItsRecoveryTimeAndStore() throws Exception {
    Map<String, String> env = KvProcess.env(dir.resolve("data"));
    KvProcess node = nodes.start(dir, env).awaitReady();
    for (int i = 0; i < KEYS; i++) {
      HttpResponse<Void> put =
          client.send(
              HttpRequest.newBuilder(node.uri("/v1/kv/metrics/" + i))
                  .PUT(HttpRequest.BodyPublishers.ofString("value " + i))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      assertThat(put.statusCode()).isEqualTo(201);
    }

    PrometheusText before = scrape(node);
    assertThat(MetricNaming.violations(before)).isEmpty();
    assertThat(before.family("kv_build_info").samples().get(0).labels().get("version"))
        .as("the version Maven wrote into the jar")
        .matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    assertThat(value(before, "kv_checkpoint_lag_records")).isBetween(0.0, (double) KEYS);

    node.kill();
    KvProcess restarted = nodes.start(dir, env).awaitReady();

    PrometheusText after = scrape(restarted);
    assertThat(MetricNaming.violations(after)).isEmpty();
    assertThat(value(after, "kv_recovery_seconds")).isPositive();
    assertThat(value(after, "kv_lmdb_used_bytes"))
        .isPositive()
        .isLessThanOrEqualTo(value(after, "kv_lmdb_map_bytes"));
    assertThat(value(after, "kv_oplog_segments")).isGreaterThanOrEqualTo(1);
    assertThat(value(after, "kv_write_queue_depth")).isZero();
    assertThat(after.family("kv_alarm").samples()).allMatch(alarm -> alarm.value() == 0);
  }

  private PrometheusText scrape(KvProcess node) throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(node.uri("/metrics")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/plain; version=0.0.4");
    return PrometheusText.parse(response.body());
  }

  private static double value(PrometheusText metrics, String family) {
    return metrics.family(family).samples().get(0).value();
  }
}
