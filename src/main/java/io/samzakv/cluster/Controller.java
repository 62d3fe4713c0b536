package io.samzakv.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Keeps the partition table fit for the members that are alive, one table change at a time: first
 * failover (a dead member's partitions get an in-sync replica promoted, never a stale one), then
 * the replication factor restored (new copies, not in sync until caught up), then primaries
 * balanced again (moved only to in-sync replicas). Only the oldest data member acts; every change
 * is a compare-and-set on the table's epoch, so a second controller (a member that still believes
 * it is the oldest) cannot undo or double a change, only fail it.
 *
 * <p>With no table at all (a new cluster, or a full-cluster restart, since the table authority
 * keeps it in memory), it builds the first from what the members report ({@link MemberReports}):
 * for each partition, the member holding its newest acknowledged state.
 *
 * <p>Thread contract: a verticle; everything runs on its context (a timer and membership events).
 */
public final class Controller extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(Controller.class.getName());

  /** How often the controller looks even when no membership event came. */
  private static final long TICK_MILLIS = 500;

  private final HazelcastInstance hazelcast;
  private final String nodeId;
  private final ClusterMembers members;
  private final MemberReports reports;
  private final TableDirectory tables;
  private final int partitions;
  private final int replication;
  private final Counter failovers;
  private final Counter changes;
  private UUID listener;
  private boolean deciding;
  private long lastWaitLog;

  public Controller(
      HazelcastInstance hazelcast,
      String nodeId,
      ClusterMembers members,
      MemberReports reports,
      TableDirectory tables,
      int partitions,
      int replication,
      MeterRegistry registry) {
    this.hazelcast = hazelcast;
    this.nodeId = nodeId;
    this.members = members;
    this.reports = reports;
    this.tables = tables;
    this.partitions = partitions;
    this.replication = replication;
    this.failovers =
        Counter.builder("kv.failovers")
            .description("partitions whose primary this member's controller replaced")
            .register(registry);
    this.changes =
        Counter.builder("kv.controller.table.changes")
            .description("table changes this member's controller made")
            .register(registry);
  }

  /** Looks at the cluster now; does nothing unless this member is the oldest data member. */
  private void tick() {
    if (deciding) {
      return;
    }
    List<String> alive = members.nodeIds();
    if (alive.isEmpty() || !alive.get(0).equals(nodeId)) {
      return;
    }
    deciding = true;
    Set<String> live = new LinkedHashSet<>(alive);
    Future<?> decided = tables.current() == null ? first(live) : maintain(live);
    decided
        .onFailure(error -> LOG.log(Level.WARNING, "table change failed: {0}", error.getMessage()))
        .onComplete(done -> deciding = false);
  }

  /** The first table, from the members' reports, once every member it needs has reported. */
  private Future<?> first(Set<String> live) {
    List<MemberRecovery> present = new ArrayList<>();
    for (String member : live) {
      MemberRecovery report = reports.report(member);
      if (report == null) {
        return Future.succeededFuture();
      }
      present.add(report);
    }
    RestartDecision decision = TableAssignment.firstAfterRestart(partitions, replication, present);
    if (decision instanceof RestartDecision.Waiting waiting) {
      if (System.currentTimeMillis() - lastWaitLog > 5_000) {
        lastWaitLog = System.currentTimeMillis();
        LOG.log(
            Level.WARNING,
            "no partition table yet: waiting for {0}, named in the newest table a member kept;"
                + " a member that missed later tables cannot be trusted to be in sync",
            waiting.missing());
      }
      return Future.succeededFuture();
    }
    PartitionTable table = ((RestartDecision.Ready) decision).table();
    return tables
        .createIfAbsent(() -> table)
        .onSuccess(
            created ->
                LOG.log(
                    Level.INFO,
                    "first partition table (epoch {0,number,#}) over {1}",
                    created.epoch(),
                    live));
  }

  /**
   * One change: failover first, then copies restored to R, then extra copies dropped, then
   * primaries balanced, then copies spread to members holding fewer than their share.
   */
  private Future<?> maintain(Set<String> live) {
    Map<String, Set<Integer>> held = held(live);
    List<Step> steps =
        List.of(
            new Step("failover", table -> TableAssignment.afterLoss(table, live)),
            new Step("replication", table -> TableAssignment.restoreReplication(table, live, held)),
            new Step("trim", table -> TableAssignment.trimCopies(table, live)),
            new Step("balance", table -> TableAssignment.rebalance(table, live)),
            new Step("spread", table -> TableAssignment.spreadCopies(table, live, held)));
    PartitionTable current = tables.current();
    for (Step step : steps) {
      if (step.change().apply(current) != current) {
        return tables.change(step.change()).onSuccess(next -> changed(step.name(), current, next));
      }
    }
    return Future.succeededFuture();
  }

  private record Step(String name, Function<PartitionTable, PartitionTable> change) {}

  /** What each live member reports holding: copies with records, which it keeps if it can. */
  private Map<String, Set<Integer>> held(Set<String> live) {
    Map<String, Set<Integer>> held = new HashMap<>();
    for (String member : live) {
      MemberRecovery report = reports.report(member);
      Set<Integer> copies = new HashSet<>();
      if (report != null) {
        for (int p = 0; p < report.positions().size(); p++) {
          if (report.positions().get(p).sequence() > 0) {
            copies.add(p);
          }
        }
      }
      held.put(member, copies);
    }
    return held;
  }

  private void changed(String step, PartitionTable before, PartitionTable after) {
    changes.increment();
    for (int p = 0; p < after.partitionCount(); p++) {
      PartitionAssignment was = before.assignment(p);
      PartitionAssignment now = after.assignment(p);
      if (was.primary() != null && !was.primary().equals(now.primary())) {
        if (step.equals("failover")) {
          failovers.increment();
        }
        LOG.log(
            Level.INFO,
            "partition {0}: primary {1} -> {2} ({3}, epoch {4,number,#}; in sync: {5})",
            p,
            was.primary(),
            now.primary(),
            step.equals("failover") ? was.primary() + " left the cluster" : step,
            after.epoch(),
            now.inSync());
      }
    }
    LOG.log(Level.INFO, "partition table epoch {0,number,#} ({1})", after.epoch(), step);
  }

  /** Acts every {@link #TICK_MILLIS} and at once when a member joins or leaves. */
  @Override
  public Future<?> start() {
    UUID registration =
        hazelcast
            .getCluster()
            .addMembershipListener(
                new MembershipListener() {
                  @Override
                  public void memberAdded(MembershipEvent event) {
                    context.runOnContext(v -> tick());
                  }

                  @Override
                  public void memberRemoved(MembershipEvent event) {
                    LOG.log(Level.WARNING, "member {0} left the cluster", event.getMember());
                    context.runOnContext(v -> tick());
                  }
                });
    listener = registration;
    vertx.setPeriodic(TICK_MILLIS, id -> tick());
    tick();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    hazelcast.getCluster().removeMembershipListener(listener);
    return Future.succeededFuture();
  }
}
