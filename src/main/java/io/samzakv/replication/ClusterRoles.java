package io.samzakv.replication;

import io.samzakv.cluster.PartitionAssignment;
import io.samzakv.cluster.PartitionTable;
import io.samzakv.cluster.TableDirectory;
import io.samzakv.store.LocalStore;
import io.samzakv.store.PartitionRoles;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.util.Set;
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
  private static final long RENEW_RETRY_MILLIS = 1000;

  private final Vertx vertx;
  private final String nodeId;
  private final LocalStore store;
  private final TableDirectory tables;

  /**
   * Per partition: 1 while a partition this member just lost as primary settles (its last batches
   * are applied or found lost): records from the new primary wait until then, or a record of the
   * new primary could be taken as a duplicate of a lost one at the same sequence.
   */
  private final AtomicLongArray settling;

  /**
   * Per partition: the leader epoch under which this member stranded writes (see {@link #strand}),
   * or -1; it serves the partition again only under a newer one.
   */
  private final AtomicLongArray stranded;

  /** Per partition: the leader epoch this member serves it under, or -1. */
  private final AtomicLongArray serving;

  /** Per partition: the newest leader epoch known, and whether its primary is this member. */
  private final AtomicLongArray knownEpoch;

  private volatile PartitionTable table;

  public ClusterRoles(
      Vertx vertx, String nodeId, int partitions, LocalStore store, TableDirectory tables) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.store = store;
    this.tables = tables;
    this.settling = new AtomicLongArray(partitions);
    this.stranded = new AtomicLongArray(partitions);
    this.serving = new AtomicLongArray(partitions);
    this.knownEpoch = new AtomicLongArray(partitions);
    for (int p = 0; p < partitions; p++) {
      serving.set(p, -1);
      stranded.set(p, -1);
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
        if (serving.getAndSet(p, -1) >= 0) {
          settle(p);
        }
      } else if (serving.get(p) != epoch && epoch > stranded.get(p)) {
        serving.set(p, -1);
        takeOver(p, epoch);
      }
    }
  }

  /** Holds off a new primary's records until this member's own last batches are settled. */
  private void settle(int partition) {
    long generation = settling.incrementAndGet(partition);
    store.appliedSoFar().onComplete(done -> settling.compareAndSet(partition, generation, 0));
  }

  /**
   * Partitions whose writes this member could not get acknowledged while the table still names it
   * primary under the same leader epoch (the table authority was out of reach when a replica had to
   * leave the in-sync set): it stops serving them, since the sequences of those writes must not be
   * handed out again under that epoch, and asks for a new leader epoch for itself until it gets one
   * or the partition goes to another member.
   */
  public void strand(Set<Integer> partitions) {
    for (int partition : partitions) {
      long epoch = serving.getAndSet(partition, -1);
      if (epoch >= 0) {
        stranded.accumulateAndGet(partition, epoch, Math::max);
        LOG.log(
            Level.WARNING,
            "partition {0}: writes of leader epoch {1,number,#} were not acknowledged; asking for a"
                + " new leader epoch",
            partition,
            epoch);
        settle(partition);
        renewEpoch(partition, epoch);
      }
    }
  }

  private void renewEpoch(int partition, long stranded) {
    tables
        .change(
            table -> {
              PartitionAssignment assignment = table.assignment(partition);
              if (!nodeId.equals(assignment.primary()) || assignment.leaderEpoch() != stranded) {
                return table;
              }
              return table.successor(
                  partition,
                  new PartitionAssignment(
                      assignment.primary(),
                      table.epoch() + 1,
                      assignment.replicas(),
                      assignment.inSync()));
            })
        .onFailure(
            error -> vertx.setTimer(RENEW_RETRY_MILLIS, id -> renewEpoch(partition, stranded)));
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
        && settling.get(partition) == 0
        && !nodeId.equals(current.primaryOf(partition))
        && epoch >= knownEpoch.get(partition);
  }
}
