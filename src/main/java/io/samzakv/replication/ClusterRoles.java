package io.samzakv.replication;

import io.samzakv.cluster.PartitionAssignment;
import io.samzakv.cluster.PartitionTable;
import io.samzakv.store.LocalStore;
import io.samzakv.store.PartitionRoles;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * This member's roles as the newest table it adopted says. A partition the table newly names this
 * member primary of is served only once every record it holds has been applied (it may have
 * received the old primary's last batches as a replica), so its first read sees every write
 * acknowledged before; until then requests for it are refused and retried by the sender.
 *
 * <p>Thread contract: {@link #adopt} from the table's listener; the rest from any thread.
 */
public final class ClusterRoles implements PartitionRoles {
  private static final System.Logger LOG = System.getLogger(ClusterRoles.class.getName());

  private final String nodeId;
  private final LocalStore store;

  /** Per partition: the leader epoch this member serves it under, or -1. */
  private final AtomicLongArray serving;

  /** Per partition: the newest leader epoch known, and whether its primary is this member. */
  private final AtomicLongArray knownEpoch;

  private volatile PartitionTable table;

  public ClusterRoles(String nodeId, int partitions, LocalStore store) {
    this.nodeId = nodeId;
    this.store = store;
    this.serving = new AtomicLongArray(partitions);
    this.knownEpoch = new AtomicLongArray(partitions);
    for (int p = 0; p < partitions; p++) {
      serving.set(p, -1);
    }
  }

  /** Takes up the roles {@code next} gives this member. */
  public synchronized void adopt(PartitionTable next) {
    if (table != null && next.epoch() <= table.epoch()) {
      return;
    }
    table = next;
    for (int p = 0; p < next.partitionCount(); p++) {
      PartitionAssignment assignment = next.assignment(p);
      long epoch = assignment.leaderEpoch();
      knownEpoch.set(p, epoch);
      if (!nodeId.equals(assignment.primary())) {
        serving.set(p, -1);
      } else if (serving.get(p) != epoch) {
        serving.set(p, -1);
        takeOver(p, epoch);
      }
    }
  }

  private void takeOver(int partition, long epoch) {
    store.appliedSoFar().onSuccess(applied -> served(partition, epoch));
  }

  /** Serves the partition, unless a newer table gave it away while the records were applied. */
  private synchronized void served(int partition, long epoch) {
    if (knownEpoch.get(partition) == epoch && nodeId.equals(table.primaryOf(partition))) {
      serving.set(partition, epoch);
      LOG.log(
          Level.DEBUG,
          "partition {0}: serving as primary under leader epoch {1,number,#}",
          partition,
          epoch);
    }
  }

  @Override
  public long servingEpoch(int partition) {
    return serving.get(partition);
  }

  @Override
  public boolean acceptsRecords(int partition, long epoch) {
    PartitionTable current = table;
    return current != null
        && !nodeId.equals(current.primaryOf(partition))
        && epoch >= knownEpoch.get(partition);
  }
}
