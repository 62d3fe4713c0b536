package io.samzakv.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The cluster's partition table: for every partition its primary, replicas and in-sync set, stamped
 * with an epoch. A table only ever replaces the one whose epoch is one lower, by a compare-and-set
 * on that epoch (see {@link TableStore}), so epochs name tables uniquely and every member can tell
 * which of two tables is newer.
 *
 * @param epoch grows by one with every change of the table
 * @param replication the copies each partition should have (the configured R)
 */
public record PartitionTable(long epoch, int replication, List<PartitionAssignment> partitions) {
  public PartitionTable {
    partitions = List.copyOf(partitions);
  }

  public int partitionCount() {
    return partitions.size();
  }

  public PartitionAssignment assignment(int partition) {
    return partitions.get(partition);
  }

  /** The primary of {@code partition}, or null while it has none. */
  public String primaryOf(int partition) {
    return partitions.get(partition).primary();
  }

  /** Every member the table gives a copy of some partition to. */
  public Set<String> members() {
    Set<String> members = new LinkedHashSet<>();
    partitions.forEach(assignment -> members.addAll(assignment.copies()));
    return members;
  }

  /**
   * The table that follows this one with {@code partition} assigned as {@code next}: epoch + 1, or
   * this table itself when that is no change.
   */
  public PartitionTable successor(int partition, PartitionAssignment next) {
    if (partitions.get(partition).equals(next)) {
      return this;
    }
    List<PartitionAssignment> changed = new ArrayList<>(partitions);
    changed.set(partition, next);
    return successor(changed);
  }

  /** The table that follows this one with {@code next} as its partitions: epoch + 1. */
  public PartitionTable successor(List<PartitionAssignment> next) {
    return new PartitionTable(epoch + 1, replication, next);
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    for (int p = 0; p < partitions.size(); p++) {
      array.add(partitions.get(p).toJson(p));
    }
    return new JsonObject()
        .put("epoch", epoch)
        .put("replication", replication)
        .put("partitions", array);
  }

  public static PartitionTable fromJson(JsonObject json) {
    List<PartitionAssignment> partitions = new ArrayList<>();
    for (Object item : json.getJsonArray("partitions")) {
      partitions.add(PartitionAssignment.fromJson((JsonObject) item));
    }
    return new PartitionTable(json.getLong("epoch"), json.getInteger("replication"), partitions);
  }
}
