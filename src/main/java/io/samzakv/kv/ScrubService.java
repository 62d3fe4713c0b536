package io.samzakv.kv;

import io.vertx.core.Future;
import java.util.List;

/** Checks this node's stored data against its evidence on demand ({@code POST /v1/admin/scrub}). */
public interface ScrubService {
  /** Scrubs every partition now (after any scrub already running) and reports each one. */
  Future<List<PartitionCheck>> scrub();
}
