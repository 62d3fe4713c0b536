package io.samzakv.store;

/**
 * What this node may do with each partition, as the newest partition table it acts on says: serve
 * it as primary under a leader epoch, or take its records from a primary. The write path consults
 * it for every write, so implementations answer from memory.
 *
 * <p>Thread contract: safe for any thread; never blocks.
 */
public interface PartitionRoles {
  /**
   * A node on its own: primary of every partition under leader epoch 1, replica of none. What a
   * store serves before (or without) a cluster telling it otherwise.
   */
  PartitionRoles SOLE =
      new PartitionRoles() {
        @Override
        public long servingEpoch(int partition) {
          return 1;
        }

        @Override
        public boolean acceptsRecords(int partition, long epoch) {
          return false;
        }
      };

  /**
   * The leader epoch under which this node serves {@code partition} as its primary, or -1 when it
   * does not (another member does, or it has not finished taking over).
   */
  long servingEpoch(int partition);

  /**
   * Whether records of {@code partition} written under leader epoch {@code epoch} may be taken from
   * a primary: this node is not the partition's primary, and no newer primary is known to it.
   */
  boolean acceptsRecords(int partition, long epoch);
}
