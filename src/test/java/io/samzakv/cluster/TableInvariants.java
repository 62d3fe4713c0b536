package io.samzakv.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;

/** What every table change must keep, checked after every step of the assignment tests. */
final class TableInvariants {
  private TableInvariants() {}

  /**
   * {@code next} is {@code previous} itself or its successor; in {@code next} every primary is in
   * sync, every in-sync member holds a copy and copies sit on distinct members; a partition that
   * changed primary got one from its previous in-sync set (never a stale copy) and a new leader
   * epoch equal to the new table's epoch, while the others kept theirs.
   */
  static void assertStep(PartitionTable previous, PartitionTable next) {
    if (next == previous) {
      return;
    }
    assertThat(next.epoch()).isEqualTo(previous.epoch() + 1);
    assertThat(next.partitionCount()).isEqualTo(previous.partitionCount());
    assertThat(next.replication()).isEqualTo(previous.replication());
    assertWellFormed(next);
    for (int p = 0; p < next.partitionCount(); p++) {
      PartitionAssignment before = previous.assignment(p);
      PartitionAssignment after = next.assignment(p);
      if (after.primary() == null || after.primary().equals(before.primary())) {
        if (after.primary() != null) {
          assertThat(after.leaderEpoch()).as("partition %d", p).isEqualTo(before.leaderEpoch());
        }
        continue;
      }
      assertThat(before.inSync()).as("new primary of partition %d", p).contains(after.primary());
      assertThat(after.leaderEpoch()).as("partition %d", p).isEqualTo(next.epoch());
    }
  }

  static void assertWellFormed(PartitionTable table) {
    for (int p = 0; p < table.partitionCount(); p++) {
      PartitionAssignment assignment = table.assignment(p);
      List<String> copies = assignment.copies();
      assertThat(new HashSet<>(copies)).as("copies of partition %d", p).hasSize(copies.size());
      if (assignment.primary() != null) {
        // Without a primary, the in-sync set names the members that held every acknowledged write
        // when the last of them died: they need not hold a copy in the table any more.
        assertThat(copies).as("copies of partition %d", p).containsAll(assignment.inSync());
      }
      assertThat(new HashSet<>(assignment.inSync())).hasSize(assignment.inSync().size());
      if (assignment.primary() != null) {
        assertThat(assignment.inSync()).contains(assignment.primary());
      }
      assertThat(assignment.leaderEpoch()).isBetween(1L, table.epoch());
    }
  }
}
