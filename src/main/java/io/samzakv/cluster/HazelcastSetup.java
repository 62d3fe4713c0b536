package io.samzakv.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.samzakv.config.NodeConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

/**
 * The Hazelcast member configuration for a node: Vert.x's default cluster config (which the
 * clustered event bus needs) with TCP join to the configured peers, no multicast, and failure
 * detection tuned to seconds rather than Hazelcast's 60 s default.
 */
public final class HazelcastSetup {
  public static final String CLUSTER_NAME = "samza-kv";

  private HazelcastSetup() {}

  public static Config memberConfig(NodeConfig config, String nodeId) {
    Config hazelcast = ConfigUtil.loadConfig();
    hazelcast.setClusterName(CLUSTER_NAME);
    hazelcast.getMemberAttributeConfig().setAttribute(ClusterMembers.NODE_ID_ATTRIBUTE, nodeId);
    hazelcast.setProperty("hazelcast.phone.home.enabled", "false");
    // The node shuts Hazelcast down itself, after handing off and flushing.
    hazelcast.setProperty("hazelcast.shutdownhook.enabled", "false");
    hazelcast.setProperty("hazelcast.logging.type", "jdk");
    hazelcast.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hazelcast.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    hazelcast.setProperty("hazelcast.wait.seconds.before.join", "0");
    hazelcast.setProperty("hazelcast.socket.bind.any", "false");

    NetworkConfig network = hazelcast.getNetworkConfig();
    network.setPort(config.clusterPort()).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface(config.clusterHost());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(config.clusterMembers());
    return hazelcast;
  }
}
