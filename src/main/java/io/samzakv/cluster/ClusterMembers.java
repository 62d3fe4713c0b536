package io.samzakv.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryAdapter;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import java.util.ArrayList;
import java.util.List;

/**
 * Which store nodes are in the cluster, by node id, oldest first, and where each serves HTTP.
 * Membership is Hazelcast's, less the members that hold no store: a user's app joined (as a lite
 * member) to use the event bus carries no node id, so it is never listed nor given partitions. The
 * HTTP addresses are published in a Hazelcast replicated map (every member holds a full copy, so
 * reads are local and never block) once each node has bound its port.
 *
 * <p>Thread contract: safe for any thread; only the constructor blocks.
 */
public final class ClusterMembers {
  static final String NODE_ID_ATTRIBUTE = "kv.node.id";

  private final HazelcastInstance hazelcast;
  private final ReplicatedMap<String, String> httpAddresses;

  /** Blocking (creates a distributed proxy): call off the event loop. */
  public ClusterMembers(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.httpAddresses = hazelcast.getReplicatedMap("kv-members-http");
  }

  public record MemberInfo(String nodeId, String httpAddress) {}

  /** Node ids of the current store nodes, oldest first (Hazelcast's member order). */
  public List<String> nodeIds() {
    List<String> ids = new ArrayList<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      String id = member.getAttribute(NODE_ID_ATTRIBUTE);
      if (!member.isLiteMember() && id != null) {
        ids.add(id);
      }
    }
    return ids;
  }

  /** The current store nodes with their HTTP addresses (null until a member has published it). */
  public List<MemberInfo> members() {
    return nodeIds().stream().map(id -> new MemberInfo(id, httpAddresses.get(id))).toList();
  }

  /** Calls {@code listener} on a Hazelcast thread whenever a member publishes its address. */
  public void onPublished(Runnable listener) {
    httpAddresses.addEntryListener(
        new EntryAdapter<>() {
          @Override
          public void entryAdded(EntryEvent<String, String> event) {
            listener.run();
          }
        });
  }

  public void publishHttpAddress(String nodeId, String hostAndPort) {
    httpAddresses.put(nodeId, hostAndPort);
  }
}
