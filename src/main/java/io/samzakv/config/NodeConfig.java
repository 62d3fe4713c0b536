package io.samzakv.config;

import io.samzakv.oplog.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Every setting of a node, typed and validated. Built by {@link ConfigLoader} from {@code
 * conf/node.json} (or {@code --conf FILE}) with {@code KV_*} environment variables winning.
 *
 * @param nodeId stable member name; null means "the one stored in the data dir, or a new one"
 * @param clusterMembers Hazelcast peers ({@code host:port}) for TCP join; empty = standalone
 * @param scrubInterval how often every partition is checked against its evidence; zero = never
 */
public record NodeConfig(
    String nodeId,
    String httpHost,
    int httpPort,
    Path dataDir,
    String clusterHost,
    int clusterPort,
    List<String> clusterMembers,
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
    Duration scrubInterval) {

  public NodeConfig {
    clusterMembers = List.copyOf(clusterMembers);
  }
}
