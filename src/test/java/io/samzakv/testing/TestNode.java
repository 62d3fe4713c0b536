package io.samzakv.testing;

import io.samzakv.config.ConfigLoader;
import io.samzakv.config.NodeConfig;
import io.samzakv.node.Node;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A real node in this JVM on free ports and a caller-owned temp dir, for tests that speak HTTP or
 * the event bus to it. Closing it stops the node gracefully.
 */
public final class TestNode implements AutoCloseable {
  private final Node node;
  private final NodeConfig config;

  private TestNode(Node node, NodeConfig config) {
    this.node = node;
    this.config = config;
  }

  /** A node with default settings but for ports and data dir. */
  public static TestNode start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  /** A node with {@code env} overriding the defaults (e.g. {@code KV_FSYNC=never}). */
  public static TestNode start(Path dataDir, Map<String, String> env) {
    NodeConfig config = ConfigLoader.from(new JsonObject(), environment(dataDir, env));
    return new TestNode(Node.start(config), config);
  }

  /** The environment a test node runs with: free ports, one HTTP instance, then {@code env}. */
  public static Map<String, String> environment(Path dataDir, Map<String, String> env) {
    Map<String, String> all = new HashMap<>();
    all.put("KV_DATA_DIR", dataDir.toString());
    all.put("KV_HTTP_PORT", "0");
    all.put("KV_CLUSTER_PORT", Integer.toString(freePort()));
    all.put("KV_HTTP_INSTANCES", "1");
    all.putAll(env);
    return all;
  }

  /** A port nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int httpPort() {
    return node.httpPort();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + httpPort();
  }

  public io.vertx.core.Vertx vertx() {
    return node.vertx();
  }

  public NodeConfig config() {
    return config;
  }

  @Override
  public void close() {
    node.stop();
  }
}
