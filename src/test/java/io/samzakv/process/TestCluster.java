package io.samzakv.process;

import static org.awaitility.Awaitility.await;

import io.samzakv.kv.Key;
import io.samzakv.routing.Partitioner;
import io.samzakv.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * A cluster of real node processes on 127.0.0.1: node {@code i} is {@code node-<i>} with its own
 * ports and data dir, every node's seed list names all of them. Nodes can be killed and restarted
 * with the same id, ports and data.
 */
final class TestCluster {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private final Path dir;
  private final NodeProcesses processes;
  private final List<Map<String, String>> envs = new ArrayList<>();
  private final KvProcess[] nodes;
  private final int partitions;

  private TestCluster(Path dir, NodeProcesses processes, int size, int partitions) {
    this.dir = dir;
    this.processes = processes;
    this.nodes = new KvProcess[size];
    this.partitions = partitions;
  }

  /**
   * Starts {@code size} nodes with {@code settings} added to each, and waits until all are ready.
   */
  static TestCluster start(
      Path dir, NodeProcesses processes, int size, Map<String, String> settings) {
    return start(dir, processes, size, settings, size);
  }

  /**
   * As {@link #start(Path, NodeProcesses, int, Map)}, but the first {@code firstWave} nodes are
   * ready before the others start: the oldest members, which Hazelcast makes the CP members.
   */
  static TestCluster start(
      Path dir, NodeProcesses processes, int size, Map<String, String> settings, int firstWave) {
    int partitions = Integer.parseInt(settings.getOrDefault("KV_PARTITIONS", "64"));
    TestCluster cluster = new TestCluster(dir, processes, size, partitions);
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      clusterPorts.add(TestNode.freePort());
    }
    String seeds =
        clusterPorts.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    for (int i = 0; i < size; i++) {
      Map<String, String> env = KvProcess.env(dir.resolve("node-" + (i + 1)));
      env.put("KV_NODE_ID", "node-" + (i + 1));
      env.put("KV_CLUSTER_PORT", Integer.toString(clusterPorts.get(i)));
      env.put("KV_CLUSTER_MEMBERS", seeds);
      env.putAll(settings);
      cluster.envs.add(env);
    }
    cluster.startAndAwaitReady(0, firstWave);
    cluster.startAndAwaitReady(firstWave, size);
    return cluster;
  }

  private void startAndAwaitReady(int from, int to) {
    for (int i = from; i < to; i++) {
      nodes[i] = processes.start(dir, envs.get(i));
    }
    for (int i = from; i < to; i++) {
      nodes[i].awaitReady();
    }
  }

  int size() {
    return nodes.length;
  }

  KvProcess node(int index) {
    return nodes[index];
  }

  String nodeId(int index) {
    return "node-" + (index + 1);
  }

  int indexOf(String nodeId) {
    return Integer.parseInt(nodeId.substring("node-".length())) - 1;
  }

  /** kill -9 of node {@code index}. */
  void kill(int index) {
    nodes[index].kill();
  }

  /** Starts node {@code index} again with its id, ports and data dir; does not wait. */
  KvProcess restart(int index) {
    nodes[index] = processes.start(dir, envs.get(index));
    return nodes[index];
  }

  List<KvProcess> live() {
    List<KvProcess> live = new ArrayList<>();
    for (KvProcess node : nodes) {
      if (node.isAlive()) {
        live.add(node);
      }
    }
    return live;
  }

  /** A live node picked at random: where a client spreading its load sends a request. */
  KvProcess anyLive() {
    List<KvProcess> live = live();
    return live.get(ThreadLocalRandom.current().nextInt(live.size()));
  }

  /** {@code GET /v1/cluster} from {@code node}. */
  JsonObject clusterView(KvProcess node) throws IOException, InterruptedException {
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(node.uri("/v1/cluster")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    return new JsonObject(response.body());
  }

  /** The primary of {@code key}'s partition as {@code node} sees the table. */
  String primaryOf(KvProcess node, String key) throws IOException, InterruptedException {
    int partition = new Partitioner(partitions).partitionOf(Key.of(key));
    return clusterView(node)
        .getJsonArray("partitions")
        .getJsonObject(partition)
        .getString("primary");
  }

  /** The epoch of the partition table {@code node} acts on; 0 before it has one. */
  long tableEpoch(KvProcess node) throws IOException, InterruptedException {
    return clusterView(node).getLong("epoch");
  }

  /** A key whose partition {@code nodeId} is primary of, as {@code viewer} sees the table. */
  String keyLedBy(KvProcess viewer, String nodeId) throws IOException, InterruptedException {
    JsonArray table = clusterView(viewer).getJsonArray("partitions");
    Partitioner partitioner = new Partitioner(partitions);
    for (int i = 0; ; i++) {
      String key = "probe/" + i;
      int partition = partitioner.partitionOf(Key.of(key));
      if (nodeId.equals(table.getJsonObject(partition).getString("primary"))) {
        return key;
      }
    }
  }

  /**
   * Puts {@code key} through live nodes until one acknowledges it; the {@link System#nanoTime} of
   * that acknowledgement.
   */
  long awaitWritable(String key, Duration within) {
    long[] at = {0};
    await("a write to " + key + " acknowledged")
        .atMost(within)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              int status =
                  CLIENT
                      .send(
                          HttpRequest.newBuilder(anyLive().uri("/v1/kv/" + key))
                              .timeout(Duration.ofSeconds(10))
                              .PUT(HttpRequest.BodyPublishers.ofString("x"))
                              .build(),
                          HttpResponse.BodyHandlers.discarding())
                      .statusCode();
              at[0] = System.nanoTime();
              return status == 200 || status == 201;
            });
    return at[0];
  }

  /**
   * Waits until every live node is ready, every partition has all its copies in sync, and the live
   * members' primaries differ by at most one.
   */
  void awaitSettled(Duration within) {
    await("cluster settled")
        .atMost(within)
        .pollInterval(Duration.ofMillis(200))
        .until(this::settled);
  }

  private boolean settled() throws IOException, InterruptedException {
    for (KvProcess node : live()) {
      if (node.status("/ready") != 200) {
        return false;
      }
    }
    JsonObject view = clusterView(live().get(0));
    int replication = view.getInteger("replication");
    int copies = Math.min(replication, live().size());
    java.util.Map<String, Integer> primaries = new java.util.HashMap<>();
    for (Object member : view.getJsonArray("members")) {
      primaries.put(((JsonObject) member).getString("id"), 0);
    }
    for (Object item : view.getJsonArray("partitions")) {
      JsonObject partition = (JsonObject) item;
      if (partition.getString("primary") == null
          || partition.getJsonArray("in_sync").size() != copies
          || partition.getJsonArray("replicas").size() != copies - 1) {
        return false;
      }
      primaries.merge(partition.getString("primary"), 1, Integer::sum);
    }
    return primaries.size() == live().size()
        && java.util.Collections.max(primaries.values())
                - java.util.Collections.min(primaries.values())
            <= 1;
  }
}
