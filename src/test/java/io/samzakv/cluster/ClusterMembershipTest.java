package io.samzakv.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.samzakv.api.bus.KvClient;
import io.samzakv.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who counts as a member: a Hazelcast lite member (a user's app joined to use the event bus) is no
 * store node, and nodes of different cluster names never form one cluster.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterMembershipTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  /** Closed most recently started first: the app outlives the node it talks to. */
  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  @AfterEach
  void stopAll() throws Exception {
    while (!started.isEmpty()) {
      started.pop().close();
    }
  }

  @Test
  void aLiteMemberIsNeverListedNorGivenPartitionsEvenAsTheOldestMember() {
    int nodePort = TestNode.freePort();
    int litePort = TestNode.freePort();
    List<String> seeds = List.of("127.0.0.1:" + nodePort, "127.0.0.1:" + litePort);
    // The lite member first, so that it is Hazelcast's oldest: the node must still see itself as
    // the oldest store node and assign every partition to itself.
    HazelcastInstance lite = Hazelcast.newHazelcastInstance(liteMember(litePort, seeds));
    started.push(lite::shutdown);
    TestNode node = node("node", "samza-kv", nodePort, String.join(",", seeds));

    assertThat(lite.getCluster().getMembers()).hasSize(2);
    JsonObject cluster = cluster(node);
    String nodeId = cluster.getString("node_id");
    assertThat(memberIds(cluster)).containsExactly(nodeId);
    JsonArray partitions = cluster.getJsonArray("partitions");
    assertThat(partitions).hasSize(64);
    for (int p = 0; p < partitions.size(); p++) {
      assertThat(partitions.getJsonObject(p).getString("primary")).isEqualTo(nodeId);
      assertThat(partitions.getJsonObject(p).getJsonArray("replicas")).isEmpty();
    }
  }

  @Test
  void anAppJoinedAsALiteMemberUsesKvClientAndIsNoStoreNode() throws Exception {
    int nodePort = TestNode.freePort();
    int appPort = TestNode.freePort();
    List<String> seeds = List.of("127.0.0.1:" + nodePort, "127.0.0.1:" + appPort);
    TestNode node = node("node", "samza-kv", nodePort, String.join(",", seeds));
    Vertx app = appOnTheBus(appPort, seeds);
    started.push(() -> app.close().await());

    JsonObject cluster = cluster(node);
    assertThat(memberIds(cluster)).containsExactly(cluster.getString("node_id"));
    KvClient kv = new KvClient(app);
    byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
    assertThat(kv.put("app/greeting", hello).await(20, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(kv.get("app/greeting").await(20, TimeUnit.SECONDS).value()).isEqualTo(hello);
  }

  @Test
  void nodesOfDifferentClusterNamesNeverJoin() {
    int firstPort = TestNode.freePort();
    int secondPort = TestNode.freePort();
    String seeds = "127.0.0.1:" + firstPort + ",127.0.0.1:" + secondPort;
    TestNode first = node("first", "orders", firstPort, seeds);
    TestNode second = node("second", "billing", secondPort, seeds);

    JsonObject firstView = cluster(first);
    JsonObject secondView = cluster(second);
    assertThat(memberIds(firstView)).containsExactly(firstView.getString("node_id"));
    assertThat(memberIds(secondView)).containsExactly(secondView.getString("node_id"));
  }

  @Test
  void membersBoundToEveryInterfaceJoinAndPublishTheirPublicAddresses() {
    int firstPort = TestNode.freePort();
    int secondPort = TestNode.freePort();
    String seeds = "127.0.0.1:" + firstPort + ",127.0.0.1:" + secondPort;
    TestNode first = wildcardNode("first", firstPort, seeds);
    TestNode second = wildcardNode("second", secondPort, seeds);

    await("both members listed")
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(memberIds(cluster(first))).hasSize(2));
    JsonObject view = cluster(second);
    assertThat(view.getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("http")))
        .containsExactlyInAnyOrder(
            "127.0.0.1:" + first.httpPort(), "127.0.0.1:" + second.httpPort());
  }

  /** Hazelcast, event bus and HTTP on 0.0.0.0, announced as 127.0.0.1, as in a container. */
  private TestNode wildcardNode(String name, int clusterPort, String seeds) {
    TestNode node =
        TestNode.start(
            dir.resolve(name),
            Map.of(
                "KV_HTTP_HOST",
                "0.0.0.0",
                "KV_CLUSTER_HOST",
                "0.0.0.0",
                "KV_CLUSTER_PORT",
                Integer.toString(clusterPort),
                "KV_CLUSTER_PUBLIC_ADDRESS",
                "127.0.0.1:" + clusterPort,
                "KV_CLUSTER_MEMBERS",
                seeds));
    started.push(node);
    return node;
  }

  private TestNode node(String name, String clusterName, int clusterPort, String seeds) {
    TestNode node =
        TestNode.start(
            dir.resolve(name),
            Map.of(
                "KV_CLUSTER_NAME", clusterName,
                "KV_CLUSTER_PORT", Integer.toString(clusterPort),
                "KV_CLUSTER_MEMBERS", seeds));
    started.push(node);
    return node;
  }

  /**
   * A user's verticle app as README's "Apps on the event bus" shows it: a clustered Vert.x whose
   * Hazelcast is a lite member of the same cluster name, joining by TCP to the seeds.
   */
  private static Vertx appOnTheBus(int port, List<String> seeds) throws TimeoutException {
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1");
    return Vertx.builder()
        .with(options)
        .withClusterManager(new HazelcastClusterManager(liteMember(port, seeds)))
        .buildClustered()
        .await(60, TimeUnit.SECONDS);
  }

  private static Config liteMember(int port, List<String> seeds) {
    Config hazelcast = new Config().setClusterName("samza-kv").setLiteMember(true);
    hazelcast.setProperty("hazelcast.phone.home.enabled", "false");
    hazelcast.setProperty("hazelcast.wait.seconds.before.join", "0");
    hazelcast.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    hazelcast.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = hazelcast.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(seeds);
    return hazelcast;
  }

  private static JsonObject cluster(TestNode node) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/cluster"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return new JsonObject(response.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static List<String> memberIds(JsonObject cluster) {
    return cluster.getJsonArray("members").stream()
        .map(member -> ((JsonObject) member).getString("id"))
        .toList();
  }
}
