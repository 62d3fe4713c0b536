package io.samzakv.cluster;

import io.vertx.core.Future;
import java.util.function.Consumer;

/**
 * This member's view of the partition table: the newest it has seen, read without blocking, and the
 * way to look again when a peer says it is stale.
 */
public interface PartitionTables {
  /** The newest table this member has seen, or null before the first. Never blocks. */
  PartitionTable current();

  /** Reads the authority's table and adopts it when newer; completes with the newest known. */
  Future<PartitionTable> refresh();

  /**
   * Calls {@code listener} (on an unspecified thread) with every newer table this member adopts.
   */
  void onChange(Consumer<PartitionTable> listener);
}
