package io.samzakv.api;

import io.samzakv.kv.Alarms;
import io.vertx.core.json.JsonObject;

/** What the APIs report about the node itself. Methods never block. */
public interface NodeStatus {
  /** True once the node has joined and every partition it holds is caught up. */
  boolean ready();

  /**
   * True once the node serves requests: started, with a partition table. It may still be catching
   * up copies it holds (so not {@link #ready}), and routes what it cannot serve to the primaries.
   */
  boolean accepting();

  /** What keeps the node from serving fully; {@code /health} and {@code /ready} report it. */
  Alarms alarms();

  /** The {@code GET /v1/cluster} body. */
  JsonObject cluster();
}
