package io.samzakv.api;

import io.samzakv.kv.Alarms;
import io.vertx.core.json.JsonObject;

/** What the APIs report about the node itself. Methods never block. */
public interface NodeStatus {
  /** True once the node has joined and every partition it holds is caught up. */
  boolean ready();

  /** What keeps the node from serving fully; {@code /health} and {@code /ready} report it. */
  Alarms alarms();

  /** The {@code GET /v1/cluster} body. */
  JsonObject cluster();
}
