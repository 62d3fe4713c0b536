package io.samzakv.node;

import io.samzakv.api.NodeStatus;
import io.samzakv.cluster.ClusterMembers;
import io.samzakv.cluster.PartitionTable;
import io.samzakv.cluster.PartitionTables;
import io.samzakv.kv.Alarms;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

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
  private final Alarms alarms;
  private volatile boolean serving;

  NodeState(
      String nodeId,
      int partitions,
      ClusterMembers members,
      PartitionTables directory,
      Alarms alarms) {
    this.nodeId = nodeId;
    this.partitions = partitions;
    this.members = members;
    this.directory = directory;
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
  public boolean ready() {
    return serving && directory.current() != null;
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
    JsonObject tableJson = table.toJson();
    return json.put("replication", table.replication())
        .put("epoch", table.epoch())
        .put("partitions", tableJson.getJsonArray("partitions"));
  }
}
