package io.samzakv.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.samzakv.config.ConfigException;
import io.samzakv.config.NodeConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The Hazelcast member configuration for a node: the structures Vert.x's cluster manager needs
 * (what its default-cluster.xml declares), TCP join to the configured peers, no multicast, and
 * failure detection tuned to seconds rather than Hazelcast's 60 s default.
 *
 * <p>Built in code rather than loaded from vertx-hazelcast's XML: Hazelcast validates an XML config
 * against its schema, which cost ~0.7 s of every start (a third of the time from a {@code kill -9}
 * to ready, most of which is JVM and Hazelcast start-up).
 */
public final class HazelcastSetup {
  private HazelcastSetup() {}

  /** Resolves the cluster host's name (blocking): call off the event loop. */
  public static Config memberConfig(NodeConfig config, String nodeId) {
    Config hazelcast = new Config();
    // Vert.x's event-bus subscriptions and HA bookkeeping, as in its default-cluster.xml.
    hazelcast.addMultiMapConfig(
        new MultiMapConfig("__vertx.subs")
            .setBackupCount(1)
            .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    hazelcast.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    hazelcast.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    hazelcast.setClusterName(config.clusterName());
    hazelcast.getMemberAttributeConfig().setAttribute(ClusterMembers.NODE_ID_ATTRIBUTE, nodeId);
    hazelcast.setProperty("hazelcast.phone.home.enabled", "false");
    // The node shuts Hazelcast down itself, after handing off and flushing.
    hazelcast.setProperty("hazelcast.shutdownhook.enabled", "false");
    hazelcast.setProperty("hazelcast.logging.type", "jdk");
    hazelcast.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hazelcast.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    hazelcast.setProperty("hazelcast.wait.seconds.before.join", "0");

    NetworkConfig network = hazelcast.getNetworkConfig();
    network.setPort(config.clusterPort()).setPortAutoIncrement(false);
    network.setPublicAddress(config.clusterPublicAddress());
    bind(hazelcast, config.clusterHost());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(config.clusterMembers());
    return hazelcast;
  }

  /**
   * A wildcard host binds every interface (Hazelcast then picks one to announce unless a public
   * address is set); any other host binds that interface alone. Hazelcast matches interfaces by IP
   * address, so a host name is resolved first.
   */
  private static void bind(Config hazelcast, String host) {
    if (NodeConfig.isAnyAddress(host)) {
      hazelcast.setProperty("hazelcast.socket.bind.any", "true");
      return;
    }
    hazelcast.setProperty("hazelcast.socket.bind.any", "false");
    try {
      hazelcast
          .getNetworkConfig()
          .getInterfaces()
          .setEnabled(true)
          .addInterface(InetAddress.getByName(host).getHostAddress());
    } catch (UnknownHostException e) {
      throw new ConfigException("KV_CLUSTER_HOST", "unknown host '" + host + "'");
    }
  }
}
