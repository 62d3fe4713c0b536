package io.samzakv.cluster;

/**
 * How far a member's copy of one partition goes: the leader epoch and sequence of the last record
 * it applied. Ordered by leader epoch first, so a copy that followed a newer primary beats a longer
 * one that kept records from an older primary (those are cut back when it rejoins).
 */
public record PartitionPosition(long leaderEpoch, long sequence)
    implements Comparable<PartitionPosition> {

  /** The position of a copy to which no record was ever applied. */
  public static final PartitionPosition NONE = new PartitionPosition(0, 0);

  @Override
  public int compareTo(PartitionPosition other) {
    int byEpoch = Long.compare(leaderEpoch, other.leaderEpoch);
    return byEpoch != 0 ? byEpoch : Long.compare(sequence, other.sequence);
  }
}
