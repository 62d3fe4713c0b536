package io.samzakv.cluster;

import io.vertx.core.Future;

/**
 * The one authority for the partition table: every change is a compare-and-set on the epoch of the
 * table it replaces, so two members deciding at once (or a member that slept through a change)
 * cannot both win. Futures complete on a Vert.x context; implementations never block the caller.
 */
public interface TableStore {
  /** The current table, or null before the first one is stored. */
  Future<PartitionTable> read();

  /** Stores {@code first} only if no table is stored yet; true if it was stored. */
  Future<Boolean> create(PartitionTable first);

  /** Stores {@code next} only if the stored table's epoch is {@code next.epoch() - 1}. */
  Future<Boolean> compareAndSet(PartitionTable next);
}
