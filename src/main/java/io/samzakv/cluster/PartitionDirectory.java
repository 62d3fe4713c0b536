package io.samzakv.cluster;

import com.hazelcast.core.EntryAdapter;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The cluster's partition table, kept in a Hazelcast replicated map so every member reads it
 * locally. Only the oldest member rewrites it, and each rewrite bumps the epoch.
 *
 * <p>Thread contract: {@link #current} is safe for any thread and never blocks (it reads a field
 * that a Hazelcast listener keeps up to date); the constructor and {@link #rebalance} run off the
 * event loop.
 */
public final class PartitionDirectory implements PartitionTables {
  private static final String KEY = "table";

  private final ReplicatedMap<String, String> tables;
  private final ClusterMembers members;
  private final String localNodeId;
  private final int partitions;
  private final int replication;
  private final List<Consumer<PartitionTable>> listeners = new CopyOnWriteArrayList<>();
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
              adopt(PartitionTable.fromJson(new JsonObject(event.getValue())));
            }
          }
        },
        KEY);
    String published = tables.get(KEY);
    if (published != null) {
      adopt(PartitionTable.fromJson(new JsonObject(published)));
    }
    // A member publishes its HTTP address once it serves: only then may it be given partitions.
    members.onPublished(this::rebalance);
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
  @Override
  public PartitionTable current() {
    return table;
  }

  /** The replicated map already holds the newest table this member can know of. */
  @Override
  public Future<PartitionTable> refresh() {
    return Future.succeededFuture(table);
  }

  @Override
  public void onChange(Consumer<PartitionTable> listener) {
    listeners.add(listener);
  }

  private synchronized void adopt(PartitionTable next) {
    if (table == null || next.epoch() > table.epoch()) {
      table = next;
      listeners.forEach(listener -> listener.accept(next));
    }
  }

  /**
   * When this member is the oldest, assigns the partitions over the members that serve under a new
   * epoch and publishes the result; other members wait for the oldest to do it. Blocking.
   */
  public synchronized void rebalance() {
    if (!members.nodeIds().get(0).equals(localNodeId)) {
      return;
    }
    List<String> ids =
        members.members().stream()
            .filter(member -> member.httpAddress() != null)
            .map(ClusterMembers.MemberInfo::nodeId)
            .toList();
    if (ids.isEmpty() || (table != null && table.members().equals(Set.copyOf(ids)))) {
      return;
    }
    PartitionTable previous = table;
    long epoch = previous == null ? 1 : previous.epoch() + 1;
    PartitionTable next = roundRobin(epoch, ids);
    tables.put(KEY, next.toJson().encode());
    adopt(next);
  }
}
