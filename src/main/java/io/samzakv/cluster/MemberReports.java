package io.samzakv.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What each member says about the copies it holds, in a Hazelcast replicated map (every member
 * reads its local copy): the last partition table it saw before it started, and where each of its
 * copies stands (leader epoch and sequence of its last record). The controller builds the first
 * table of a restarted cluster from these, and {@code /v1/cluster} shows each copy's lag from them.
 *
 * <p>Thread contract: safe for any thread; publishing and the constructor block briefly (call off
 * the event loop).
 */
public final class MemberReports {
  private final ReplicatedMap<String, String> reports;

  public MemberReports(HazelcastInstance hazelcast) {
    this.reports = hazelcast.getReplicatedMap("kv-member-reports");
  }

  /** Publishes this member's report; {@code lastTable} is null for a member that never saw one. */
  public void publish(String nodeId, PartitionTable lastTable, List<PartitionPosition> positions) {
    JsonArray copies = new JsonArray();
    positions.forEach(
        position ->
            copies.add(new JsonArray().add(position.leaderEpoch()).add(position.sequence())));
    JsonObject report = new JsonObject().put("positions", copies);
    if (lastTable != null) {
      report.put("table", lastTable.toJson());
    }
    reports.put(nodeId, report.encode());
  }

  /** The report of {@code nodeId}, or null before it published one. */
  public MemberRecovery report(String nodeId) {
    String published = reports.get(nodeId);
    if (published == null) {
      return null;
    }
    JsonObject report = new JsonObject(published);
    JsonObject table = report.getJsonObject("table");
    List<PartitionPosition> positions = new ArrayList<>();
    for (Object item : report.getJsonArray("positions")) {
      JsonArray position = (JsonArray) item;
      positions.add(new PartitionPosition(position.getLong(0), position.getLong(1)));
    }
    return new MemberRecovery(
        nodeId, table == null ? null : PartitionTable.fromJson(table), positions);
  }
}
