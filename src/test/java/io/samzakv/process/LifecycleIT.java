package io.samzakv.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * API.md §1 against the real jar: SIGTERM is a clean stop (exit 0, nothing acknowledged lost), a
 * setting that cannot work exits non-zero at once with one stderr line naming it, and the config
 * file is read.
 */
class LifecycleIT {
  /** "At once": JVM start plus the check, with room for a slow, busy CI machine. */
  private static final Duration FAIL_FAST = Duration.ofSeconds(10);

  @TempDir Path dir;

  @RegisterExtension final NodeProcesses nodes = new NodeProcesses();
  private final HttpClient client = WriteLoad.newClient();

  private KvProcess start(Map<String, String> env, String... args) {
    return nodes.start(dir, env, args);
  }

  @Test
  void sigtermDuringWritesExitsZeroAndKeepsEveryAcknowledgedWrite() throws Exception {
    Map<String, String> env = KvProcess.env(dir.resolve("data"));
    KvProcess node = start(env).awaitReady();
    WriteLoad load = new WriteLoad(client, node::uri, 1024);
    load.start(16);
    Thread.sleep(2_000); // the load's duration, not a wait for some state

    int exit = node.terminate(Duration.ofSeconds(60));
    load.stop();

    System.out.printf(
        "SIGTERM burst: %d acked writes on %d keys, failed: %s%n",
        load.acks(), load.ackedKeys(), load.failures());
    assertThat(exit).as(node.describe()).isZero();
    assertThat(node.stderr()).as("stderr of a clean stop").isBlank();
    assertThat(load.acks()).isGreaterThan(100);
    // In flight at SIGTERM: completed (2xx), refused with 503, or the connection closed; never
    // a 500 or any other status.
    assertThat(load.unexpected()).as("responses during the stop").isEmpty();

    KvProcess restarted = start(env).awaitReady();
    WriteLoad.Check check = load.check(restarted);
    assertThat(check.violations())
        .withFailMessage(
            "%d keys wrong after restart, first ones: %s%nfailed writes: %s%n%s",
            check.violations().size(),
            check.violations().subList(0, Math.min(20, check.violations().size())),
            load.failures(),
            restarted.describe())
        .isEmpty();
    // A write the node applied was in flight when SIGTERM came, so it must have been answered.
    assertThat(check.appliedUnacked())
        .as("applied writes whose request failed; failures %s", load.failures())
        .isEmpty();
    assertThat(restarted.stdout()).as("a clean stop leaves no torn tail").doesNotContain("torn");
    assertThat(restarted.stdout())
        .as("a clean start after a clean stop warns of nothing")
        .doesNotContain(" WARNING ")
        .doesNotContain(" SEVERE ");
  }

  @Test
  void httpPortInUse() throws Exception {
    try (ServerSocket taken = bindLoopback()) {
      Map<String, String> env = KvProcess.env(dir.resolve("data"));
      env.put("KV_HTTP_PORT", Integer.toString(taken.getLocalPort()));
      assertFailsNaming("KV_HTTP_PORT", start(env));
    }
  }

  @Test
  void clusterPortInUse() throws Exception {
    try (ServerSocket taken = bindLoopback()) {
      Map<String, String> env = KvProcess.env(dir.resolve("data"));
      env.put("KV_CLUSTER_PORT", Integer.toString(taken.getLocalPort()));
      assertFailsNaming("KV_CLUSTER_PORT", start(env));
    }
  }

  @Test
  void dataDirIsARegularFile() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    assertFailsNaming("KV_DATA_DIR", start(KvProcess.env(file)));
  }

  @Test
  void dataDirCannotBeCreated() throws Exception {
    // Under a regular file: unwritable even for root, unlike permission bits.
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    assertFailsNaming("KV_DATA_DIR", start(KvProcess.env(file.resolve("data"))));
  }

  @Test
  void partitionCountDiffersFromTheDataDirs() throws Exception {
    Map<String, String> env = KvProcess.env(dir.resolve("data"));
    env.put("KV_PARTITIONS", "8");
    KvProcess first = start(env).awaitReady();
    put(first, "k", "v");
    assertThat(first.terminate(Duration.ofSeconds(60))).as(first.describe()).isZero();

    Map<String, String> changed = KvProcess.env(dir.resolve("data"));
    changed.put("KV_PARTITIONS", "16");
    assertFailsNaming("KV_PARTITIONS", start(changed));

    // Refusing must not have damaged anything: the right count still opens it.
    Map<String, String> same = KvProcess.env(dir.resolve("data"));
    same.put("KV_PARTITIONS", "8");
    KvProcess again = start(same).awaitReady();
    assertThat(WriteLoad.get(client, again, "k")).isEqualTo(new WriteLoad.Stored("v", 1));
  }

  @Test
  void unknownFsyncPolicy() throws Exception {
    Map<String, String> env = KvProcess.env(dir.resolve("data"));
    env.put("KV_FSYNC", "sometimes");
    assertFailsNaming("KV_FSYNC", start(env));
  }

  @Test
  void secondProcessOnTheSameDataDir() throws Exception {
    KvProcess first = start(KvProcess.env(dir.resolve("data"))).awaitReady();
    put(first, "k", "v");

    assertFailsNaming("KV_DATA_DIR", start(KvProcess.env(dir.resolve("data"))));

    assertThat(first.isAlive()).as(first.describe()).isTrue();
    assertThat(WriteLoad.get(client, first, "k")).isEqualTo(new WriteLoad.Stored("v", 1));
  }

  @Test
  void missingConfFile() throws Exception {
    assertFailsNaming(
        "--conf", start(KvProcess.env(dir.resolve("data")), "--conf", "no-such-file.json"));
  }

  @Test
  void confFileNamedByTheFlagIsHonoured() throws Exception {
    int httpPort = TestNode.freePort();
    int clusterPort = TestNode.freePort();
    Path conf =
        Files.writeString(
            dir.resolve("custom.json"),
            new JsonObject()
                .put("http_port", httpPort)
                .put("cluster_port", clusterPort)
                .put("data_dir", "from-conf")
                .put("partitions", 8)
                .encode());
    // No KV_* variables at all: everything comes from the file.
    KvProcess node =
        nodes.track(KvProcess.start(dir, httpPort, Map.of(), "--conf", conf.toString()));
    node.awaitReady();

    assertThat(cluster(node).getInteger("partition_count")).isEqualTo(8);
    put(node, "k", "v");
    assertThat(dir.resolve("from-conf").resolve("oplog")).isDirectory();
  }

  @Test
  void defaultConfFileIsReadAndTheEnvironmentWins() throws Exception {
    int filePort = TestNode.freePort();
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(
        dir.resolve("conf").resolve("node.json"),
        new JsonObject().put("http_port", filePort).put("partitions", 4).encode());
    // KV_HTTP_PORT overrides the file's port; partitions and the default ./data come through.
    Map<String, String> env = KvProcess.env(dir.resolve("unused"));
    env.remove("KV_DATA_DIR");
    KvProcess node = start(env).awaitReady();

    assertThat(node.httpPort()).isNotEqualTo(filePort);
    assertThat(cluster(node).getInteger("partition_count")).isEqualTo(4);
    put(node, "k", "v");
    assertThat(dir.resolve("data").resolve("oplog")).isDirectory();
  }

  private void assertFailsNaming(String setting, KvProcess process) {
    // Exits at once, rather than hanging or retrying: awaitExit fails if it is still running.
    int exit = process.awaitExit(FAIL_FAST);
    assertThat(exit).as(process.describe()).isNotZero();
    assertThat(process.stderrLines())
        .as(process.describe())
        .singleElement()
        .asString()
        .contains(setting);
  }

  private static ServerSocket bindLoopback() throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return socket;
  }

  private void put(KvProcess node, String key, String value)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(node.uri("/v1/kv/" + key))
                .PUT(HttpRequest.BodyPublishers.ofString(value))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
  }

  private JsonObject cluster(KvProcess node) throws IOException, InterruptedException {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(node.uri("/v1/cluster")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return new JsonObject(response.body());
  }
}
