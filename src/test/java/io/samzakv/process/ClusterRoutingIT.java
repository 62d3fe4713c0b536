package io.samzakv.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import io.samzakv.api.bus.KvClient;
import io.samzakv.cluster.HazelcastSetup;
import io.samzakv.config.ConfigLoader;
import io.samzakv.kv.Key;
import io.samzakv.routing.Partitioner;
import io.samzakv.testing.PrometheusText;
import io.samzakv.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * API.md §2 "every node accepts every request", against three real {@code java -jar} members:
 * whatever node a request reaches, it is served by the key's primary, so a write through one node
 * is read through the others, a conditional write through a node that is not the primary fails with
 * the primary's 412, a scan through any node pages over every member's keys in order, a lock held
 * through one node is held for the others, and a {@link KvClient} in an application that joined the
 * cluster reaches each key's primary in one hop.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterRoutingIT {
  private static final List<String> IDS = List.of("a", "b", "c");
  private static final int PARTITIONS = 64;
  private static final Partitioner PARTITIONER = new Partitioner(PARTITIONS);

  @TempDir static Path dir;

  private static final List<KvProcess> nodes = new ArrayList<>();
  private static final HttpClient http = WriteLoad.newClient();
  private static String seeds;

  @BeforeAll
  static void startCluster() {
    List<Map<String, String>> envs = new ArrayList<>();
    for (String id : IDS) {
      Map<String, String> env = KvProcess.env(dir.resolve(id));
      env.put("KV_NODE_ID", id);
      env.put("KV_FSYNC", "never");
      envs.add(env);
    }
    seeds =
        String.join(
            ",", envs.stream().map(env -> "127.0.0.1:" + env.get("KV_CLUSTER_PORT")).toList());
    for (Map<String, String> env : envs) {
      env.put("KV_CLUSTER_MEMBERS", seeds);
      nodes.add(KvProcess.start(dir, env));
    }
    nodes.forEach(KvProcess::awaitReady);
    // The oldest member assigns the partitions as the others start serving: wait until every
    // node sees one table that gives each member some primaries.
    await("one table naming every member, seen by every node")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(ClusterRoutingIT::settled);
  }

  @AfterAll
  static void stopCluster() {
    nodes.forEach(KvProcess::close);
  }

  private static boolean settled() throws Exception {
    Set<Long> epochs = new HashSet<>();
    for (KvProcess node : nodes) {
      JsonObject cluster = cluster(node);
      epochs.add(cluster.getLong("epoch"));
      Set<String> primaries = new HashSet<>();
      cluster
          .getJsonArray("partitions")
          .forEach(p -> primaries.add(((JsonObject) p).getString("primary")));
      if (!primaries.equals(Set.copyOf(IDS))) {
        return false;
      }
    }
    return epochs.size() == 1;
  }

  @Test
  void everyKeyWrittenThroughOneNodeIsReadThroughEveryOther() throws Exception {
    List<String> keys = IntStream.range(0, 60).mapToObj(i -> "ryw/" + i).toList();
    for (String key : keys) {
      assertThat(put(node(0), key, "one " + key, Map.of()).statusCode()).isEqualTo(201);
    }
    for (String key : keys) {
      for (KvProcess reader : nodes) {
        WriteLoad.Stored read = WriteLoad.get(http, reader, key);
        assertThat(read).as(key).isEqualTo(new WriteLoad.Stored("one " + key, 1));
      }
    }
    // Written again through another node, read back through the third.
    for (String key : keys) {
      assertThat(put(node(1), key, "two " + key, Map.of()).statusCode()).isEqualTo(200);
      assertThat(WriteLoad.get(http, node(2), key))
          .isEqualTo(new WriteLoad.Stored("two " + key, 2));
    }
  }

  @Test
  void conditionalWritesThroughANodeThatIsNotThePrimaryAnswerThePrimarys412() throws Exception {
    Map<Integer, String> primaries = primaries();
    for (int i = 0; i < 30; i++) {
      String key = "cas/" + i;
      String primary = primaries.get(PARTITIONER.partitionOf(Key.of(key)));
      assertThat(put(node(0), key, "v", Map.of()).statusCode()).isEqualTo(201);
      for (int n = 0; n < nodes.size(); n++) {
        if (IDS.get(n).equals(primary)) {
          continue;
        }
        HttpResponse<String> stale = put(node(n), key, "w", Map.of("If-Match", "\"7\""));
        assertThat(stale.statusCode()).as(stale.body()).isEqualTo(412);
        JsonObject error = new JsonObject(stale.body());
        assertThat(error.getString("error")).isEqualTo("version_mismatch");
        assertThat(error.getLong("current_version")).isEqualTo(1);
        HttpResponse<String> exists = put(node(n), key, "w", Map.of("If-None-Match", "*"));
        assertThat(exists.statusCode()).isEqualTo(412);
      }
      HttpResponse<String> matching = put(node(2), key, "x", Map.of("If-Match", "\"1\""));
      assertThat(matching.statusCode()).as(matching.body()).isEqualTo(200);
      assertThat(WriteLoad.get(http, node(1), key)).isEqualTo(new WriteLoad.Stored("x", 2));
    }
  }

  @Test
  void aScanThroughAnyNodeReturnsEveryMembersKeysOnceInOrder() throws Exception {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String key = String.format("scan/%03d", i);
      keys.add(key);
      assertThat(put(node(i % 3), key, "v" + i, Map.of()).statusCode()).isEqualTo(201);
    }
    Set<String> owners = new HashSet<>();
    Map<Integer, String> primaries = primaries();
    keys.forEach(key -> owners.add(primaries.get(PARTITIONER.partitionOf(Key.of(key)))));
    assertThat(owners).containsExactlyInAnyOrderElementsOf(IDS);

    for (KvProcess node : nodes) {
      List<String> seen = new ArrayList<>();
      String start = "";
      while (start != null) {
        JsonObject page = scan(node, "scan/", start, 7);
        JsonArray items = page.getJsonArray("items");
        items.forEach(item -> seen.add(((JsonObject) item).getString("key")));
        start = page.getString("next");
      }
      assertThat(seen).containsExactlyElementsOf(keys);
    }
  }

  @Test
  void aLockHeldThroughOneNodeIsHeldForEveryOther() throws Exception {
    HttpResponse<String> granted = acquire(node(0), "shared");
    assertThat(granted.statusCode()).as(granted.body()).isEqualTo(200);
    long token = new JsonObject(granted.body()).getLong("token");

    assertThat(acquire(node(1), "shared").statusCode()).isEqualTo(409);
    assertThat(acquire(node(2), "shared").statusCode()).isEqualTo(409);
    assertThat(release(node(1), "shared", token + 1).statusCode()).isEqualTo(409);
    assertThat(release(node(2), "shared", token).statusCode()).isEqualTo(200);

    HttpResponse<String> next = acquire(node(1), "shared");
    assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
    assertThat(new JsonObject(next.body()).getLong("token")).isGreaterThan(token);
  }

  @Test
  void requestsForAnotherMembersPartitionsAreCountedAsForwarded() throws Exception {
    double before = forwarded(node(1), "put");
    for (int i = 0; i < 20; i++) {
      put(node(1), "counted/" + i, "v", Map.of());
    }
    // With three members about two thirds of the keys belong to another node.
    assertThat(forwarded(node(1), "put") - before).isBetween(1.0, 20.0);
    assertThat(metrics(node(1)).family("kv_forward_round_trip_seconds").samples())
        .anyMatch(sample -> "put".equals(sample.labels().get("op")) && sample.value() > 0);
  }

  @Test
  void aKvClientInALiteMemberReachesEachKeysPrimaryInOneHop() throws Exception {
    Config member =
        HazelcastSetup.memberConfig(
            ConfigLoader.from(
                new JsonObject(),
                Map.of(
                    "KV_CLUSTER_MEMBERS", seeds,
                    "KV_CLUSTER_PORT", Integer.toString(TestNode.freePort()),
                    "KV_DATA_DIR", dir.resolve("app").toString())),
            "app");
    // An application, not a store node: no node id, no data, never given partitions.
    member.setLiteMember(true).getMemberAttributeConfig().setAttributes(new HashMap<>());
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
    Vertx app =
        Vertx.builder()
            .with(options)
            .withClusterManager(new HazelcastClusterManager(member))
            .buildClustered()
            .await(60, TimeUnit.SECONDS);
    try (KvClient client = new KvClient(app)) {
      double before = forwardedSingleKeyRequests();
      for (int i = 0; i < 30; i++) {
        String key = "client/" + i;
        assertThat(client.put(key, ("v" + i).getBytes(StandardCharsets.UTF_8)).await())
            .isEqualTo(1L);
        assertThat(client.get(key).await().value())
            .isEqualTo(("v" + i).getBytes(StandardCharsets.UTF_8));
        assertThat(WriteLoad.get(http, node(i % 3), key))
            .isEqualTo(new WriteLoad.Stored("v" + i, 1));
      }
      assertThat(client.table().partitionCount()).isEqualTo(PARTITIONS);
      // The HTTP reads above forward; the client's own requests never do.
      double httpReads = forwardedSingleKeyRequests() - before;
      assertThat(httpReads).isLessThanOrEqualTo(30);
      assertThat(clusterIds(node(0))).containsExactlyInAnyOrderElementsOf(IDS);
    } finally {
      app.close().await(60, TimeUnit.SECONDS);
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  private static KvProcess node(int index) {
    return nodes.get(index);
  }

  private static JsonObject cluster(KvProcess node) throws Exception {
    return new JsonObject(send(HttpRequest.newBuilder(node.uri("/v1/cluster"))).body());
  }

  private static List<String> clusterIds(KvProcess node) throws Exception {
    List<String> ids = new ArrayList<>();
    cluster(node).getJsonArray("members").forEach(m -> ids.add(((JsonObject) m).getString("id")));
    return ids;
  }

  /** Each partition's primary, as node a sees the table. */
  private static Map<Integer, String> primaries() throws Exception {
    Map<Integer, String> primaries = new HashMap<>();
    for (Object p : cluster(node(0)).getJsonArray("partitions")) {
      JsonObject partition = (JsonObject) p;
      primaries.put(partition.getInteger("partition"), partition.getString("primary"));
    }
    return primaries;
  }

  private static HttpResponse<String> put(
      KvProcess node, String key, String value, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(node.uri("/v1/kv/" + key))
            .PUT(HttpRequest.BodyPublishers.ofString(value));
    headers.forEach(request::header);
    return send(request);
  }

  private static JsonObject scan(KvProcess node, String prefix, String start, int limit)
      throws Exception {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(
                node.uri(
                    "/v1/kv?prefix="
                        + prefix
                        + "&limit="
                        + limit
                        + "&start="
                        + URLEncoder.encode(start, StandardCharsets.UTF_8))));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static HttpResponse<String> acquire(KvProcess node, String name) throws Exception {
    String body = new JsonObject().put("ttl_ms", 600_000).put("wait_ms", 0).encode();
    return send(
        HttpRequest.newBuilder(node.uri("/v1/locks/" + name))
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static HttpResponse<String> release(KvProcess node, String name, long token)
      throws Exception {
    return send(HttpRequest.newBuilder(node.uri("/v1/locks/" + name + "?token=" + token)).DELETE());
  }

  private static PrometheusText metrics(KvProcess node) throws Exception {
    return PrometheusText.parse(send(HttpRequest.newBuilder(node.uri("/metrics"))).body());
  }

  private static double forwarded(KvProcess node, String op) throws Exception {
    return metrics(node).family("kv_forwarded_requests_total").samples().stream()
        .filter(sample -> op.equals(sample.labels().get("op")))
        .mapToDouble(PrometheusText.Sample::value)
        .sum();
  }

  /** Forwarded GETs, PUTs and DELETEs over all nodes (scans also come from the locks gauge). */
  private static double forwardedSingleKeyRequests() throws Exception {
    double sum = 0;
    for (KvProcess node : nodes) {
      for (String op : List.of("get", "put", "delete")) {
        sum += forwarded(node, op);
      }
    }
    return sum;
  }

  private static HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return http.send(
        request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
