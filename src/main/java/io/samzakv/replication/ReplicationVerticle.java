package io.samzakv.replication;

import io.micrometer.core.instrument.MeterRegistry;
import io.samzakv.cluster.MemberReports;
import io.samzakv.cluster.PartitionPosition;
import io.samzakv.cluster.PartitionTable;
import io.samzakv.cluster.TableDirectory;
import io.samzakv.storage.PartitionHistory;
import io.samzakv.store.LocalStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Replication on one member, on one Vert.x context: the replica side (records in, catch-ups) and
 * the primary side (attach, snapshots, in-sync joins), and the member's report of where each of its
 * copies stands ({@link MemberReports}), refreshed every second. Build it with {@link #wire}, which
 * also fences and ships the store's writes.
 *
 * <p>Thread contract: deployed once; its handlers run on its context.
 */
public final class ReplicationVerticle extends VerticleBase {
  private static final long TICK_MILLIS = 1000;

  private final String nodeId;
  private final LocalStore store;
  private final ClusterRoles roles;
  private final TableDirectory tables;
  private final Followers followers;
  private final MemberReports reports;
  private final Duration timeout;
  private final int partitions;
  private FollowerSide followerSide;

  private ReplicationVerticle(
      String nodeId,
      LocalStore store,
      ClusterRoles roles,
      TableDirectory tables,
      Followers followers,
      MemberReports reports,
      Duration timeout,
      int partitions) {
    this.nodeId = nodeId;
    this.store = store;
    this.roles = roles;
    this.tables = tables;
    this.followers = followers;
    this.reports = reports;
    this.timeout = timeout;
    this.partitions = partitions;
  }

  /**
   * Fences the store's writes by this member's roles in {@code tables} and ships them to replicas;
   * returns the verticle that serves the rest of replication, to deploy.
   */
  public static ReplicationVerticle wire(
      io.vertx.core.Vertx vertx,
      String nodeId,
      LocalStore store,
      TableDirectory tables,
      MemberReports reports,
      Duration timeout,
      int partitions,
      MeterRegistry registry) {
    ClusterRoles roles = new ClusterRoles(vertx, nodeId, partitions, store, tables);
    Followers followers = new Followers();
    store.replicate(
        roles, new Replicator(vertx, nodeId, tables, followers, roles::strand, timeout, registry));
    tables.onChange(roles::adopt);
    if (tables.current() != null) {
      roles.adopt(tables.current());
    }
    return new ReplicationVerticle(
        nodeId, store, roles, tables, followers, reports, timeout, partitions);
  }

  @Override
  public Future<?> start() {
    followerSide = new FollowerSide(vertx, nodeId, store, timeout);
    followerSide.register();
    new PrimarySide(vertx, nodeId, store, roles, tables, followers, timeout).register();
    tables.onChange(table -> context.runOnContext(v -> followerSide.onTable(table)));
    vertx.setPeriodic(TICK_MILLIS, id -> tick());
    tick();
    return Future.succeededFuture();
  }

  /** Retries failed catch-ups and refreshes this member's report. */
  private void tick() {
    PartitionTable table = tables.current();
    if (table != null) {
      followerSide.onTable(table);
    }
    // Before the cluster has a table, the one this member saved: the first table is built from it.
    PartitionTable reported = table != null ? table : tables.saved();
    List<PartitionPosition> positions = positions();
    // A replicated-map put waits for the entry's partition owner: off the event loop.
    vertx.executeBlocking(
        () -> {
          reports.publish(nodeId, reported, positions);
          return null;
        },
        false);
  }

  private List<PartitionPosition> positions() {
    List<PartitionPosition> positions = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      PartitionHistory history = store.history(p);
      positions.add(new PartitionPosition(history.epoch(), history.sequence()));
    }
    return positions;
  }

  /** How many copies this member is bringing up to date now. */
  public int catchingUp() {
    return followerSide == null ? 0 : followerSide.catchingUp();
  }
}
