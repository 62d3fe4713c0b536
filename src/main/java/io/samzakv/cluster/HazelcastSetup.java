package io.samzakv.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.cp.CPSubsystemConfig;
import com.hazelcast.config.cp.RaftAlgorithmConfig;
import io.samzakv.config.ConfigException;
import io.samzakv.config.NodeConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.Set;

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
  /** Members of the CP Subsystem and of each of its Raft groups: the fewest that survive a loss. */
  static final int CP_MEMBERS = 3;

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
    if (usesCpSubsystem(config)) {
      hazelcast.setCPSubsystemConfig(cpSubsystem());
    }
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

  /**
   * Whether the cluster keeps its table in the CP Subsystem: when the seed list, with this member
   * added, names at least {@link #CP_MEMBERS} members. Adding this member makes lists that name
   * every node and lists that name every other node agree, so all members of one cluster choose
   * alike.
   */
  public static boolean usesCpSubsystem(NodeConfig config) {
    Set<String> members = new LinkedHashSet<>(config.clusterMembers());
    members.add(config.clusterHost() + ":" + config.clusterPort());
    return members.size() >= CP_MEMBERS;
  }

  /**
   * Three CP members in groups of three, tuned to recover in about a second: a dead Raft leader is
   * suspected after 4 missed 250 ms heartbeats and replaced by an election; a CP member gone from
   * the cluster is removed from the CP Subsystem after a few seconds (CpMembership usually removes
   * it sooner and promotes a replacement). A swap whose outcome is unknown fails rather than being
   * retried by Hazelcast, so no compare-and-set can apply twice behind the caller's back.
   */
  static CPSubsystemConfig cpSubsystem() {
    return new CPSubsystemConfig()
        .setCPMemberCount(CP_MEMBERS)
        .setGroupSize(CP_MEMBERS)
        .setFailOnIndeterminateOperationState(true)
        // Sessions only serve CP locks and semaphores, which the node does not use; short, so a
        // dead member's session does not hold up the removal below (which must not be shorter).
        .setSessionTimeToLiveSeconds(5)
        .setSessionHeartbeatIntervalSeconds(1)
        .setMissingCPMemberAutoRemovalSeconds(5)
        .setRaftAlgorithmConfig(
            new RaftAlgorithmConfig()
                .setLeaderHeartbeatPeriodInMillis(250)
                .setMaxMissedLeaderHeartbeatCount(4)
                .setLeaderElectionTimeoutInMillis(500));
  }
}
