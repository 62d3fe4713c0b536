package io.samzakv.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.samzakv.config.ConfigLoader;
import io.samzakv.config.NodeConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hazelcast members in this JVM, configured as nodes configure theirs ({@link
 * HazelcastSetup#memberConfig}) on free loopback ports, every one naming the first {@code seeds} as
 * its seed list. {@link #close} terminates those still running.
 */
final class HazelcastMembers implements AutoCloseable {
  private final List<String> seeds = new ArrayList<>();
  private final List<HazelcastInstance> started = new ArrayList<>();

  HazelcastMembers(int seeds) {
    for (int i = 0; i < seeds; i++) {
      this.seeds.add("127.0.0.1:" + freePort());
    }
  }

  /** Starts the seed member {@code index}. */
  HazelcastInstance startSeed(int index) {
    return start(seeds.get(index));
  }

  /** Starts a member on a new port that is not in the seed list (a node added later). */
  HazelcastInstance startExtra() {
    return start("127.0.0.1:" + freePort());
  }

  private HazelcastInstance start(String address) {
    int port = Integer.parseInt(address.substring(address.indexOf(':') + 1));
    HazelcastInstance member =
        Hazelcast.newHazelcastInstance(HazelcastSetup.memberConfig(config(port), "node-" + port));
    started.add(member);
    return member;
  }

  /** The node configuration of seed member {@code index}. */
  NodeConfig seedConfig(int index) {
    String address = seeds.get(index);
    return config(Integer.parseInt(address.substring(address.indexOf(':') + 1)));
  }

  private NodeConfig config(int port) {
    return ConfigLoader.from(
        new JsonObject(),
        Map.of(
            "KV_CLUSTER_PORT", Integer.toString(port),
            "KV_CLUSTER_MEMBERS", String.join(",", seeds)));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (HazelcastInstance member : started) {
      if (member.getLifecycleService().isRunning()) {
        member.getLifecycleService().terminate();
      }
    }
  }
}
