package io.samzakv.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Who holds one partition and who may serve it.
 *
 * @param primary the member that takes every read and write of the partition, or null while it has
 *     none (every copy that held all its acknowledged writes is gone)
 * @param leaderEpoch the table epoch at which {@code primary} took the partition over; every record
 *     it writes and every request forwarded to it carries this epoch, so a message from before a
 *     change of primary is recognised and refused
 * @param replicas the other members holding a copy, in the order they were given one
 * @param inSync the copies known to hold every acknowledged write of the partition: the primary and
 *     the replicas it waits for before acknowledging; only one of these may ever be promoted
 */
public record PartitionAssignment(
    String primary, long leaderEpoch, List<String> replicas, List<String> inSync) {

  public PartitionAssignment {
    replicas = List.copyOf(replicas);
    inSync = List.copyOf(inSync);
    if (primary != null && !inSync.contains(primary)) {
      throw new IllegalArgumentException("primary " + primary + " is not in its in-sync set");
    }
    if (primary != null && replicas.contains(primary)) {
      throw new IllegalArgumentException("primary " + primary + " is also listed as a replica");
    }
  }

  /** Every member holding a copy, the primary first. */
  public List<String> copies() {
    List<String> copies = new ArrayList<>(replicas.size() + 1);
    if (primary != null) {
      copies.add(primary);
    }
    copies.addAll(replicas);
    return copies;
  }

  public boolean isInSync(String nodeId) {
    return inSync.contains(nodeId);
  }

  /** The in-sync replicas: the copies the primary waits for before acknowledging a write. */
  public List<String> inSyncReplicas() {
    return inSync.stream().filter(id -> !id.equals(primary)).toList();
  }

  /** This assignment with {@code replica} out of the in-sync set (not the primary). */
  public PartitionAssignment withoutInSync(String replica) {
    if (replica.equals(primary)) {
      throw new IllegalArgumentException(
          "the primary " + replica + " cannot leave its in-sync set");
    }
    return new PartitionAssignment(
        primary, leaderEpoch, replicas, inSync.stream().filter(id -> !id.equals(replica)).toList());
  }

  /** This assignment with {@code replica}, one of its replicas, in the in-sync set. */
  public PartitionAssignment withInSync(String replica) {
    if (!replicas.contains(replica)) {
      throw new IllegalArgumentException(replica + " holds no copy to be in sync");
    }
    if (inSync.contains(replica)) {
      return this;
    }
    List<String> next = new ArrayList<>(inSync);
    next.add(replica);
    return new PartitionAssignment(primary, leaderEpoch, replicas, next);
  }

  JsonObject toJson(int partition) {
    return new JsonObject()
        .put("partition", partition)
        .put("primary", primary)
        .put("leader_epoch", leaderEpoch)
        .put("replicas", new JsonArray(replicas))
        .put("in_sync", new JsonArray(inSync));
  }

  static PartitionAssignment fromJson(JsonObject json) {
    return new PartitionAssignment(
        json.getString("primary"),
        json.getLong("leader_epoch"),
        strings(json.getJsonArray("replicas")),
        strings(json.getJsonArray("in_sync")));
  }

  private static List<String> strings(JsonArray array) {
    return array.stream().map(String::valueOf).toList();
  }
}
