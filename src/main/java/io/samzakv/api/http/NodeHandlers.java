package io.samzakv.api.http;

import io.samzakv.api.NodeStatus;
import io.samzakv.kv.KvException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code /health}, {@code /ready} and {@code /v1/cluster}. */
final class NodeHandlers {
  private final NodeStatus status;

  NodeHandlers(NodeStatus status) {
    this.status = status;
  }

  void handleHealth(RoutingContext ctx) {
    Responses.json(
        ctx.response(), 200, new JsonObject().put("status", "UP").put("ready", status.ready()));
  }

  void handleReady(RoutingContext ctx) {
    checkReady();
    Responses.json(ctx.response(), 200, new JsonObject().put("status", "READY"));
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
    if (!status.ready()) {
      throw KvException.unavailable("the node is not ready");
    }
  }
}
