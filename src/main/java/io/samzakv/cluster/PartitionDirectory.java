package io.samzakv.cluster;

import com.hazelcast.core.EntryAdapter;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The cluster's partition table, kept in a Hazelcast replicated map so every member reads it
 * locally. Only the oldest member rewrites it, and each rewrite bumps the epoch.
 *
 * <p>Thread contract: {@link #current} is safe for any thread and never blocks (it reads a field
 * that a Hazelcast listener keeps up to date); the constructor and {@link #rebalance} run off the
 * event loop.
 */
public final class PartitionDirectory {
  private static final String KEY = "table";

  private final ReplicatedMap<String, String> tables;
  private final ClusterMembers members;
  private final String localNodeId;
  private final int partitions;
  private final int replication;
  private volatile PartitionTable table;

  public PartitionDirectory(
      com.hazelcast.core.HazelcastInstance hazelcast,
      ClusterMembers members,
      String localNodeId,
      int partitions,
      int replication) {
    this.tables = hazelcast.getReplicatedMap("kv-partition-table");
    this.members = members;
    this.localNodeId = localNodeId;
    this.partitions = partitions;
    this.replication = replication;
    tables.addEntryListener(
        new EntryAdapter<>() {
          @Override
          public void onEntryEvent(EntryEvent<String, String> event) {
            if (event.getValue() != null) {
              table = PartitionTable.fromJson(new JsonObject(event.getValue()));
            }
          }
        },
        KEY);
    String published = tables.get(KEY);
    if (published != null) {
      table = PartitionTable.fromJson(new JsonObject(published));
    }
  }

  /** Partition p's primary is member p mod n, its replicas the next members after it. */
  private PartitionTable roundRobin(long epoch, List<String> ids) {
    int copies = Math.min(replication, ids.size());
    List<PartitionAssignment> assignments = new java.util.ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      List<String> holders = new java.util.ArrayList<>(copies);
      for (int r = 0; r < copies; r++) {
        holders.add(ids.get((p + r) % ids.size()));
      }
      assignments.add(
          new PartitionAssignment(holders.get(0), epoch, holders.subList(1, copies), holders));
    }
    return new PartitionTable(epoch, copies, assignments);
  }

  /** The table as this member last saw it, or null before the first one is published. */
  public PartitionTable current() {
    return table;
  }

  /**
   * When this member is the oldest, assigns the partitions over the current members under a new
   * epoch and publishes the result; other members wait for the oldest to do it.
   */
  public void rebalance() {
    List<String> ids = members.nodeIds();
    if (!ids.get(0).equals(localNodeId)) {
      return;
    }
    PartitionTable previous = table;
    long epoch = previous == null ? 1 : previous.epoch() + 1;
    PartitionTable next = roundRobin(epoch, ids);
    tables.put(KEY, next.toJson().encode());
    table = next;
  }
}
