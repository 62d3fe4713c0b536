package io.samzakv.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * The first table of a new cluster: partition p's primary is member p mod n, its replicas the next
 * members after it. Stands in until the balanced assignment (TableAssignment.initial, same shape)
 * replaces it.
 */
public final class RoundRobinAssignment {
  private RoundRobinAssignment() {}

  /** The epoch-1 table over {@code members} (at least one), {@code replication} capped at n. */
  public static PartitionTable initial(int partitions, int replication, List<String> members) {
    int copies = Math.min(replication, members.size());
    List<PartitionAssignment> assignments = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      List<String> holders = new ArrayList<>(copies);
      for (int r = 0; r < copies; r++) {
        holders.add(members.get((p + r) % members.size()));
      }
      assignments.add(
          new PartitionAssignment(holders.get(0), 1, holders.subList(1, copies), holders));
    }
    return new PartitionTable(1, copies, assignments);
  }
}
