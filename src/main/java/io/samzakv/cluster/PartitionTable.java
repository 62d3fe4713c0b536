package io.samzakv.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Which member owns each partition, stamped with an epoch that grows with every change (the oldest
 * member publishes each new table). Routing today compares only the primary's id: a member serves a
 * partition while the newest table it has seen names it primary, and answers 503 otherwise. No
 * request carries an epoch yet, so nothing is refused for being stale; fencing writes by epoch
 * arrives with replication, which is what needs it.
 */
public record PartitionTable(long epoch, int replication, List<PartitionOwners> owners) {
  public PartitionTable {
    owners = List.copyOf(owners);
  }

  /**
   * Spreads {@code partitions} over {@code members} round-robin: partition p's primary is member p
   * mod n and its replicas the next members after it, capped at the member count.
   */
  public static PartitionTable assign(
      long epoch, int partitions, int replication, List<String> members) {
    int copies = Math.min(replication, members.size());
    List<PartitionOwners> owners = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      List<String> replicas = new ArrayList<>(copies - 1);
      for (int r = 1; r < copies; r++) {
        replicas.add(members.get((p + r) % members.size()));
      }
      owners.add(new PartitionOwners(members.get(p % members.size()), replicas));
    }
    return new PartitionTable(epoch, copies, owners);
  }

  public int partitionCount() {
    return owners.size();
  }

  public String primaryOf(int partition) {
    return owners.get(partition).primary();
  }

  public JsonObject toJson() {
    JsonArray partitions = new JsonArray();
    for (int p = 0; p < owners.size(); p++) {
      PartitionOwners owner = owners.get(p);
      partitions.add(
          new JsonObject()
              .put("partition", p)
              .put("primary", owner.primary())
              .put("replicas", new JsonArray(owner.replicas())));
    }
    return new JsonObject()
        .put("epoch", epoch)
        .put("replication", replication)
        .put("partitions", partitions);
  }

  public static PartitionTable fromJson(JsonObject json) {
    List<PartitionOwners> owners = new ArrayList<>();
    for (Object item : json.getJsonArray("partitions")) {
      JsonObject partition = (JsonObject) item;
      owners.add(
          new PartitionOwners(
              partition.getString("primary"),
              partition.getJsonArray("replicas").stream().map(String::valueOf).toList()));
    }
    return new PartitionTable(json.getLong("epoch"), json.getInteger("replication"), owners);
  }
}
