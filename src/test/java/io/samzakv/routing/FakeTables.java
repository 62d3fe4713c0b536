package io.samzakv.routing;

import io.samzakv.cluster.PartitionAssignment;
import io.samzakv.cluster.PartitionTable;
import io.samzakv.cluster.PartitionTables;
import io.samzakv.store.PartitionRoles;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A member's view of the table ({@link #current}) and the authority a refresh reads. */
public final class FakeTables implements PartitionTables {
  public final AtomicInteger refreshes = new AtomicInteger();
  public volatile PartitionTable current;
  public volatile PartitionTable authority;

  public FakeTables(PartitionTable table) {
    this.current = table;
    this.authority = table;
  }

  /** A table of {@code epoch} whose every partition has {@code primary} at {@code leaderEpoch}. */
  public static PartitionTable table(int partitions, long epoch, String primary, long leaderEpoch) {
    List<PartitionAssignment> assignments = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      assignments.add(assignment(primary, leaderEpoch));
    }
    return new PartitionTable(epoch, 1, assignments);
  }

  public static PartitionAssignment assignment(String primary, long leaderEpoch) {
    return new PartitionAssignment(primary, leaderEpoch, List.of(), List.of(primary));
  }

  @Override
  public PartitionTable current() {
    return current;
  }

  @Override
  public Future<PartitionTable> refresh() {
    refreshes.incrementAndGet();
    if (current == null || authority.epoch() > current.epoch()) {
      current = authority;
    }
    return Future.succeededFuture(current);
  }

  @Override
  public void onChange(Consumer<PartitionTable> listener) {}

  /**
   * What a store would serve as {@code nodeId} under the current table, as the cluster's roles
   * would say once a takeover is complete: the partitions it is primary of, under their leader
   * epochs.
   */
  public PartitionRoles rolesOf(String nodeId) {
    return new PartitionRoles() {
      @Override
      public long servingEpoch(int partition) {
        PartitionAssignment assignment = current.assignment(partition);
        return nodeId.equals(assignment.primary()) ? assignment.leaderEpoch() : -1;
      }

      @Override
      public boolean acceptsRecords(int partition, long epoch) {
        return false;
      }
    };
  }
}
