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
    Responses.json(ctx, 200, new JsonObject().put("status", "UP").put("ready", status.ready()));
  }

  void handleReady(RoutingContext ctx) {
    if (status.ready()) {
      Responses.json(ctx, 200, new JsonObject().put("status", "READY"));
    } else {
      ctx.fail(KvException.unavailable("the node is not ready"));
    }
  }

  void handleCluster(RoutingContext ctx) {
    Responses.json(ctx, 200, status.cluster());
  }

  /** Refuses key-value work until the node is ready, so no request sees a half-started node. */
  void requireReady(RoutingContext ctx) {
    if (status.ready()) {
      ctx.next();
    } else {
      ctx.fail(KvException.unavailable("the node is not ready"));
    }
  }
}
