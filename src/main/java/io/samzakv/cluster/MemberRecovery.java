package io.samzakv.cluster;

import java.util.List;

/**
 * What a member brings to a full-cluster restart from its data dir.
 *
 * @param nodeId the member's node id
 * @param lastTable the last partition table it persisted, or null if it never saw one
 * @param positions per partition (by index) the position of the last record it applied; a partition
 *     past the end of the list counts as {@link PartitionPosition#NONE}
 */
public record MemberRecovery(
    String nodeId, PartitionTable lastTable, List<PartitionPosition> positions) {

  public MemberRecovery {
    positions = List.copyOf(positions);
  }

  public PartitionPosition positionOf(int partition) {
    return partition < positions.size() ? positions.get(partition) : PartitionPosition.NONE;
  }
}
