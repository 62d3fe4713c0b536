package io.samzakv.config;

import io.samzakv.oplog.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Every setting of a node, typed and validated. Built by {@link ConfigLoader} from {@code
 * conf/node.json} (or {@code --conf FILE}) with {@code KV_*} environment variables winning.
 *
 * <p>Each listener has a bind address and a public one, what other machines connect to; the public
 * ones are resolved here (a wildcard bind address is never published), so a member never tells
 * others to reach it at {@code 0.0.0.0}.
 *
 * @param nodeId stable member name; null means "the one stored in the data dir, or a new one"
 * @param httpPublicHost the host published for this node's HTTP API in {@code /v1/cluster}
 * @param httpPublicPort the port published with it; 0 = the port HTTP is bound to
 * @param clusterName Hazelcast cluster name: members with different names never join
 * @param clusterPublicAddress {@code host[:port]} other members reach this member's Hazelcast at;
 *     null = the bind address (with a wildcard bind, one Hazelcast picks from the interfaces)
 * @param clusterMembers Hazelcast peers ({@code host:port}) for TCP join; empty = standalone
 * @param busPort event-bus bind port; 0 = one the OS picks
 * @param busPublicPort the event-bus port other members connect to; 0 = the bound port
 * @param scrubInterval how often every partition is checked against its evidence; zero = never
 * @param replicationTimeout how long a primary waits for an in-sync replica to take a batch before
 *     it takes the replica out of the in-sync set (and a bound on every replication message)
 */
public record NodeConfig(
    String nodeId,
    String httpHost,
    int httpPort,
    String httpPublicHost,
    int httpPublicPort,
    Path dataDir,
    String clusterName,
    String clusterHost,
    int clusterPort,
    String clusterPublicAddress,
    List<String> clusterMembers,
    String busHost,
    int busPort,
    String busPublicHost,
    int busPublicPort,
    int partitions,
    int replication,
    FsyncPolicy fsync,
    Duration fsyncInterval,
    long cacheBytes,
    boolean compression,
    int maxValueBytes,
    long segmentBytes,
    long lmdbInitialMapBytes,
    int httpInstances,
    Duration scrubInterval,
    Duration replicationTimeout) {

  private static final Set<String> ANY_ADDRESS = Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0");

  public NodeConfig {
    clusterMembers = List.copyOf(clusterMembers);
  }

  /** {@code host:port} other machines reach the HTTP API at, given the port it is bound to. */
  public String httpPublicAddress(int boundPort) {
    return new HostPort(httpPublicHost, httpPublicPort == 0 ? boundPort : httpPublicPort)
        .toString();
  }

  /** Whether {@code host} is a wildcard bind address: every interface, reachable by no one. */
  public static boolean isAnyAddress(String host) {
    return ANY_ADDRESS.contains(host);
  }
}
