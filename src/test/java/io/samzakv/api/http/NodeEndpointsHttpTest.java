package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /health}, {@code /ready}, {@code /metrics} and {@code /v1/cluster} of a one-node cluster.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NodeEndpointsHttpTest {
  // Default fsync (always), so the op-log fsync metrics have something to show.
  @RegisterExtension static final HttpNode node = new HttpNode(Map.of());

  @Test
  void healthIsUp() {
    HttpResponse<byte[]> response = node.http().get("/health", new String[0]);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(KvHttp.json(response).getString("status")).isEqualTo("UP");
  }

  @Test
  void readyIs200OnceStarted() {
    HttpResponse<byte[]> response = node.http().get("/ready", new String[0]);

    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void metricsArePrometheusTextWithRequestFsyncCachePartitionAndJvmMeters() {
    for (int i = 0; i < 3; i++) {
      node.http().put("metrics/k" + i, "v".getBytes(StandardCharsets.UTF_8));
      node.http().get("metrics/k" + i);
      node.http().get("metrics/k" + i);
    }
    node.http().get("metrics/absent");
    node.http().get("/v1/kv/", new String[0]);

    HttpResponse<byte[]> response = node.http().get("/metrics", new String[0]);
    String text = KvHttp.text(response);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(text).contains("# TYPE kv_http_requests_seconds histogram");
    assertThat(text).containsPattern("(?m)^kv_http_requests_seconds_bucket\\{[^}]*method=\"PUT\"");
    assertThat(requestCount(text, "PUT", "201", "/v1/kv/*")).isGreaterThanOrEqualTo(3);
    assertThat(requestCount(text, "GET", "200", "/v1/kv/*")).isGreaterThanOrEqualTo(6);
    assertThat(requestCount(text, "GET", "404", "/v1/kv/*")).isGreaterThanOrEqualTo(1);
    assertThat(requestCount(text, "GET", "400", "/v1/kv/*")).isEqualTo(1);
    assertThat(requestCount(text, "GET", "400", "/v1/kv")).as("counted once").isZero();
    assertThat(text).containsPattern("(?m)^kv_oplog_fsync_seconds_count(\\{[^}]*})? [1-9]");
    assertThat(text)
        .containsPattern("(?m)^kv_oplog_fsync_seconds_bucket\\{[^}]*le=\"5\\.\\d+E-5\"");
    assertThat(text).containsPattern("(?m)^kv_cache_gets_total\\{[^}]*cache=\"kv.values\"");
    assertThat(text).containsPattern("(?m)^kv_partitions_primary(\\{[^}]*})? 64\\.0$");
    assertThat(text).containsPattern("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"");
    assertThat(text).contains("# TYPE jvm_gc_live_data_size_bytes gauge");
    assertThat(text).containsPattern("(?m)^jvm_threads_live_threads(\\{[^}]*})? [1-9]");
  }

  @Test
  void aClientThatLeavesMidBodyIsCounted499NotAsASuccess() throws IOException {
    try (Socket socket = RawHttp.connect(node.httpPort())) {
      RawHttp.send(
          socket.getOutputStream(),
          "PUT /v1/kv/metrics/abandoned HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10",
          "abc".getBytes(StandardCharsets.US_ASCII));
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        requestCount(
                            KvHttp.text(node.http().get("/metrics", new String[0])),
                            "PUT",
                            "499",
                            "/v1/kv/*"))
                    .isEqualTo(1));
    assertThat(node.http().get("metrics/abandoned").statusCode()).isEqualTo(404);
  }

  /** The {@code kv_http_requests_seconds_count} for a method, code and route pattern. */
  private static double requestCount(String metrics, String method, String code, String route) {
    Pattern line = Pattern.compile("(?m)^kv_http_requests_seconds_count\\{([^}]*)} (\\S+)$");
    double total = 0;
    Matcher matcher = line.matcher(metrics);
    while (matcher.find()) {
      String labels = matcher.group(1);
      if (labels.contains("method=\"" + method + "\"")
          && labels.contains("code=\"" + code + "\"")
          && labels.contains("route=\"" + route + "\"")) {
        total += Double.parseDouble(matcher.group(2));
      }
    }
    return total;
  }

  @Test
  void clusterShowsThisNodeAsTheOnlyMemberAndPrimaryOfAll64Partitions() {
    HttpResponse<byte[]> response = node.http().get("/v1/cluster", new String[0]);
    JsonObject cluster = KvHttp.json(response);

    assertThat(response.statusCode()).isEqualTo(200);
    String nodeId = cluster.getString("node_id");
    assertThat(nodeId).isNotBlank();
    JsonArray members = cluster.getJsonArray("members");
    assertThat(members).hasSize(1);
    assertThat(members.getJsonObject(0).getString("id")).isEqualTo(nodeId);
    assertThat(members.getJsonObject(0).getString("http"))
        .isEqualTo("127.0.0.1:" + node.httpPort());
    assertThat(cluster.getInteger("partition_count")).isEqualTo(64);
    // The configured factor; with one member each partition has its one copy.
    assertThat(cluster.getInteger("replication")).isEqualTo(2);
    assertThat(cluster.getLong("epoch")).isGreaterThanOrEqualTo(1);
    JsonArray partitions = cluster.getJsonArray("partitions");
    assertThat(partitions).hasSize(64);
    Set<Integer> numbers = new HashSet<>();
    for (int i = 0; i < partitions.size(); i++) {
      JsonObject partition = partitions.getJsonObject(i);
      numbers.add(partition.getInteger("partition"));
      assertThat(partition.getString("primary")).isEqualTo(nodeId);
      assertThat(partition.getJsonArray("replicas")).isEmpty();
      assertThat(partition.getJsonArray("in_sync")).containsExactly(nodeId);
    }
    assertThat(numbers).hasSize(64).allMatch(p -> p >= 0 && p < 64);
  }
}
