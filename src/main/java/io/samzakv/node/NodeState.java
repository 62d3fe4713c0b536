package io.samzakv.node;

import io.samzakv.api.NodeStatus;
import io.samzakv.cluster.ClusterMembers;
import io.samzakv.cluster.MemberRecovery;
import io.samzakv.cluster.MemberReports;
import io.samzakv.cluster.PartitionAssignment;
import io.samzakv.cluster.PartitionTable;
import io.samzakv.cluster.PartitionTables;
import io.samzakv.kv.Alarms;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * The node's readiness and its view of the cluster. Ready means: recovered, serving, and named in a
 * published partition table; it turns false again as soon as shutdown begins.
 *
 * <p>Thread contract: safe for any thread.
 */
final class NodeState implements NodeStatus {
  private final String nodeId;
  private final int partitions;
  private final ClusterMembers members;
  private final PartitionTables directory;
  private final MemberReports reports;
  private final Alarms alarms;
  private volatile boolean serving;

  NodeState(
      String nodeId,
      int partitions,
      ClusterMembers members,
      PartitionTables directory,
      MemberReports reports,
      Alarms alarms) {
    this.nodeId = nodeId;
    this.partitions = partitions;
    this.members = members;
    this.directory = directory;
    this.reports = reports;
    this.alarms = alarms;
  }

  @Override
  public Alarms alarms() {
    return alarms;
  }

  void serving(boolean serving) {
    this.serving = serving;
  }

  @Override
  public boolean accepting() {
    return serving && directory.current() != null;
  }

  /**
   * Serving, a table adopted, and every copy the table gives this node in sync: a member still
   * catching up would answer for partitions it cannot yet take over.
   */
  @Override
  public boolean ready() {
    PartitionTable table = directory.current();
    if (!serving || table == null) {
      return false;
    }
    for (PartitionAssignment assignment : table.partitions()) {
      if (assignment.copies().contains(nodeId) && !assignment.isInSync(nodeId)) {
        return false;
      }
    }
    return true;
  }

  /** How many partitions this node is primary for (a metrics gauge). */
  int primaryPartitions() {
    PartitionTable table = directory.current();
    if (table == null) {
      return 0;
    }
    int count = 0;
    for (int p = 0; p < table.partitionCount(); p++) {
      if (nodeId.equals(table.primaryOf(p))) {
        count++;
      }
    }
    return count;
  }

  /**
   * The most records any copy this node holds is behind its primary, as the members last reported
   * (every second): a metrics gauge.
   */
  long replicationLag() {
    PartitionTable table = directory.current();
    if (table == null) {
      return 0;
    }
    Map<String, MemberRecovery> positions = reported(table);
    MemberRecovery mine = positions.get(nodeId);
    if (mine == null) {
      return 0;
    }
    long worst = 0;
    for (int p = 0; p < table.partitionCount(); p++) {
      PartitionAssignment assignment = table.assignment(p);
      if (assignment.primary() == null
          || nodeId.equals(assignment.primary())
          || !assignment.replicas().contains(nodeId)) {
        continue;
      }
      MemberRecovery primary = positions.get(assignment.primary());
      if (primary != null) {
        worst = Math.max(worst, primary.positionOf(p).sequence() - mine.positionOf(p).sequence());
      }
    }
    return worst;
  }

  @Override
  public JsonObject cluster() {
    JsonArray memberList = new JsonArray();
    members
        .members()
        .forEach(
            member ->
                memberList.add(
                    new JsonObject().put("id", member.nodeId()).put("http", member.httpAddress())));
    PartitionTable table = directory.current();
    JsonObject json =
        new JsonObject()
            .put("node_id", nodeId)
            .put("members", memberList)
            .put("partition_count", partitions);
    if (table == null) {
      return json.put("epoch", 0).putNull("replication").put("partitions", new JsonArray());
    }
    JsonArray partitionList = table.toJson().getJsonArray("partitions");
    Map<String, MemberRecovery> positions = reported(table);
    for (int p = 0; p < table.partitionCount(); p++) {
      partitionList.getJsonObject(p).put("lag", lag(table.assignment(p), p, positions));
    }
    return json.put("replication", table.replication())
        .put("epoch", table.epoch())
        .put("partitions", partitionList);
  }

  /**
   * The last report of every member the table names, read once per call: each report is parsed from
   * its JSON, and a scrape or a {@code /v1/cluster} would otherwise parse one per partition.
   */
  private Map<String, MemberRecovery> reported(PartitionTable table) {
    Map<String, MemberRecovery> positions = new HashMap<>();
    for (String member : table.members()) {
      MemberRecovery report = reports.report(member);
      if (report != null) {
        positions.put(member, report);
      }
    }
    return positions;
  }

  /**
   * Per copy, how many records it is behind the primary, as the members last reported (every
   * second); null for a copy whose member has not reported.
   */
  private static JsonObject lag(
      PartitionAssignment assignment, int partition, Map<String, MemberRecovery> positions) {
    JsonObject lag = new JsonObject();
    MemberRecovery primary = positions.get(assignment.primary());
    for (String copy : assignment.copies()) {
      MemberRecovery report = positions.get(copy);
      if (primary == null || report == null) {
        lag.putNull(copy);
      } else {
        long behind =
            primary.positionOf(partition).sequence() - report.positionOf(partition).sequence();
        lag.put(copy, Math.max(0, behind));
      }
    }
    return lag;
  }
}
