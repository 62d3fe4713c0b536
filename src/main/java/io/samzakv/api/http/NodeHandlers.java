package io.samzakv.api.http;

import io.samzakv.api.NodeStatus;
import io.samzakv.kv.Alarms;
import io.samzakv.kv.KvException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code /health}, {@code /ready} and {@code /v1/cluster}. */
final class NodeHandlers {
  private final NodeStatus status;

  NodeHandlers(NodeStatus status) {
    this.status = status;
  }

  /**
   * 200 while the process serves: {@code UP}, or {@code DEGRADED} with the alarms that limit it
   * (disk full, a damaged partition); 503 {@code DOWN} when an alarm stops the node's work, so a
   * liveness probe restarts it.
   */
  void handleHealth(RoutingContext ctx) {
    Alarms alarms = status.alarms();
    String state = !alarms.up() ? "DOWN" : alarms.active().isEmpty() ? "UP" : "DEGRADED";
    Responses.json(
        ctx.response(),
        alarms.up() ? 200 : 503,
        new JsonObject()
            .put("status", state)
            .put("ready", status.ready())
            .put("alarms", alarmsJson(alarms)));
  }

  void handleReady(RoutingContext ctx) {
    checkReady();
    Responses.json(
        ctx.response(),
        200,
        new JsonObject().put("status", "READY").put("alarms", alarmsJson(status.alarms())));
  }

  private static JsonArray alarmsJson(Alarms alarms) {
    JsonArray list = new JsonArray();
    for (Alarms.Raised raised : alarms.active()) {
      list.add(
          new JsonObject()
              .put("alarm", raised.alarm().label())
              .put("detail", raised.detail())
              .put("since", raised.since().toString()));
    }
    return list;
  }

  void handleCluster(RoutingContext ctx) {
    Responses.json(ctx.response(), 200, status.cluster());
  }

  /** Refuses key-value work until the node is ready, so no request sees a half-started node. */
  void requireReady(RoutingContext ctx) {
    checkReady();
    ctx.next();
  }

  /** Throws the 503 that a request to a node that is not ready gets. */
  void checkReady() {
    if (!status.accepting()) {
      throw KvException.unavailable("the node is not ready");
    }
    if (!status.alarms().up()) {
      throw KvException.unavailable(
          "the node is down: "
              + status.alarms().active().stream()
                  .filter(raised -> raised.alarm().down())
                  .map(Alarms.Raised::detail)
                  .findFirst()
                  .orElse("an alarm is raised"));
    }
  }
}
