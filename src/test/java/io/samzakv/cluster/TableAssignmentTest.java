package io.samzakv.cluster;

import static io.samzakv.cluster.TableInvariants.assertStep;
import static io.samzakv.cluster.TableInvariants.assertWellFormed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TableAssignmentTest {

  static Stream<Arguments> shapes() {
    return Stream.of(1, 7, 64)
        .flatMap(
            p ->
                Stream.of(1, 2, 3)
                    .flatMap(
                        r -> IntStream.rangeClosed(1, 6).mapToObj(n -> Arguments.of(p, r, n))));
  }

  static Stream<Arguments> replicatedShapes() {
    return shapes().filter(a -> (int) a.get()[1] > 1 && (int) a.get()[2] > 1);
  }

  @ParameterizedTest(name = "P={0} R={1} members={2}")
  @MethodSource("shapes")
  void initialSpreadsPrimariesAndCopiesEvenlyOnDistinctMembers(
      int partitions, int replication, int memberCount) {
    List<String> members = members(memberCount);

    PartitionTable table = TableAssignment.initial(partitions, replication, members);

    assertWellFormed(table);
    assertThat(table.epoch()).isEqualTo(1);
    assertThat(table.replication()).isEqualTo(replication);
    for (PartitionAssignment assignment : table.partitions()) {
      assertThat(assignment.copies()).hasSize(Math.min(replication, memberCount));
      assertThat(assignment.inSync()).containsExactlyInAnyOrderElementsOf(assignment.copies());
      assertThat(assignment.leaderEpoch()).isEqualTo(1);
    }
    assertThat(spread(primaries(table), members)).isLessThanOrEqualTo(1);
    assertThat(spread(copies(table), members)).isLessThanOrEqualTo(1);
  }

  @Test
  void initialDependsOnTheMembersNotOnTheirOrder() {
    assertThat(TableAssignment.initial(16, 2, List.of("c", "a", "b")))
        .isEqualTo(TableAssignment.initial(16, 2, List.of("a", "b", "c")));
  }

  @Test
  void afterLossPromotesAnInSyncReplicaAndLeavesOtherPartitionsUntouched() {
    PartitionTable before = TableAssignment.initial(12, 2, List.of("a", "b", "c"));

    PartitionTable after = TableAssignment.afterLoss(before, Set.of("a", "b"));

    assertStep(before, after);
    for (int p = 0; p < before.partitionCount(); p++) {
      PartitionAssignment old = before.assignment(p);
      PartitionAssignment now = after.assignment(p);
      assertThat(now.copies()).doesNotContain("c");
      if (old.primary().equals("c")) {
        assertThat(now.primary()).isIn(old.inSync());
        assertThat(now.leaderEpoch()).isEqualTo(after.epoch());
      } else {
        assertThat(now.primary()).isEqualTo(old.primary());
        assertThat(now.leaderEpoch()).isEqualTo(old.leaderEpoch());
        assertThat(now.replicas()).isEqualTo(without(old.replicas(), "c"));
      }
    }
  }

  @Test
  void afterLossSpreadsTheDeadMembersPrimariesOverTheSurvivors() {
    PartitionTable before = TableAssignment.initial(64, 3, List.of("a", "b", "c", "d"));

    PartitionTable after = TableAssignment.afterLoss(before, Set.of("a", "b", "c"));

    assertThat(spread(primaries(after), List.of("a", "b", "c"))).isLessThanOrEqualTo(1);
  }

  @Test
  void afterLossPrefersTheInSyncReplicaWithFewestPrimaries() {
    PartitionTable before =
        table(
            new PartitionAssignment("a", 1, List.of("b", "c"), List.of("a", "b", "c")),
            new PartitionAssignment("b", 1, List.of("a"), List.of("b", "a")));

    PartitionTable after = TableAssignment.afterLoss(before, Set.of("b", "c"));

    assertThat(after.primaryOf(0)).isEqualTo("c");
    assertThat(after.assignment(0).replicas()).containsExactly("b");
  }

  @Test
  void afterLossNeverPromotesAReplicaOutOfSync() {
    PartitionTable before =
        table(new PartitionAssignment("a", 1, List.of("b", "c"), List.of("a", "c")));

    PartitionTable after = TableAssignment.afterLoss(before, Set.of("b", "c"));

    assertThat(after.assignment(0))
        .isEqualTo(new PartitionAssignment("c", 2, List.of("b"), List.of("c")));
  }

  @Test
  void afterLossLeavesAPartitionWithoutPrimaryWhenNoInSyncCopyLivesUntilOneReturns() {
    PartitionTable before = table(new PartitionAssignment("a", 1, List.of("b", "c"), List.of("a")));

    PartitionTable after = TableAssignment.afterLoss(before, Set.of("b", "c"));
    PartitionTable later = TableAssignment.afterLoss(after, Set.of("c"));
    PartitionTable back = TableAssignment.afterLoss(later, Set.of("a", "c"));

    assertThat(after.assignment(0))
        .isEqualTo(new PartitionAssignment(null, 2, List.of("b", "c"), List.of("a")));
    assertThat(later.assignment(0))
        .isEqualTo(new PartitionAssignment(null, 2, List.of("c"), List.of("a")));
    assertThat(back.assignment(0))
        .as("the last copy to hold every acknowledged write serves again, never a stale one")
        .isEqualTo(new PartitionAssignment("a", back.epoch(), List.of("c"), List.of("a")));
  }

  @Test
  void afterLossWithEveryoneAliveIsTheSameTable() {
    PartitionTable table = TableAssignment.initial(8, 2, List.of("a", "b"));

    assertThat(TableAssignment.afterLoss(table, Set.of("a", "b", "z"))).isSameAs(table);
  }

  @Test
  void aReplicaLeavesAndRejoinsTheInSyncSetUnderTheSameLeaderEpoch() {
    PartitionTable table =
        table(new PartitionAssignment("a", 1, List.of("b", "c"), List.of("a", "b", "c")));

    PartitionTable shrunk = TableAssignment.withoutInSync(table, 0, "b");
    PartitionTable expanded = TableAssignment.withInSync(shrunk, 0, "b");

    assertStep(table, shrunk);
    assertStep(shrunk, expanded);
    assertThat(shrunk.assignment(0).inSync()).containsExactly("a", "c");
    assertThat(expanded.assignment(0).inSync()).containsExactly("a", "c", "b");
    assertThat(expanded.epoch()).isEqualTo(3);
    assertThat(expanded.assignment(0).leaderEpoch()).isEqualTo(1);
  }

  @Test
  void inSyncChangesThatChangeNothingKeepTheTable() {
    PartitionTable table = table(new PartitionAssignment("a", 1, List.of("b"), List.of("a")));

    assertThat(TableAssignment.withoutInSync(table, 0, "b")).isSameAs(table);
    assertThat(TableAssignment.withInSync(table, 0, "a")).isSameAs(table);
  }

  @Test
  void onlyAReplicaUnderAPrimaryJoinsTheInSyncSetAndThePrimaryNeverLeavesIt() {
    PartitionTable table = table(new PartitionAssignment("a", 1, List.of("b"), List.of("a")));
    PartitionTable unavailable = table(new PartitionAssignment(null, 1, List.of("b"), List.of()));

    assertThatThrownBy(() -> TableAssignment.withInSync(table, 0, "z"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TableAssignment.withInSync(unavailable, 0, "b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TableAssignment.withoutInSync(table, 0, "a"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void restoreAddsOutOfSyncCopiesOnTheMembersWithFewestCopies() {
    PartitionTable lost =
        TableAssignment.afterLoss(
            TableAssignment.initial(6, 2, List.of("a", "b", "c")), Set.of("a", "b"));

    PartitionTable restored =
        TableAssignment.restoreReplication(lost, Set.of("a", "b", "d"), Map.of());

    assertStep(lost, restored);
    for (int p = 0; p < restored.partitionCount(); p++) {
      PartitionAssignment now = restored.assignment(p);
      assertThat(now.copies()).hasSize(2);
      assertThat(now.inSync()).isEqualTo(lost.assignment(p).inSync());
      assertThat(now.primary()).isEqualTo(lost.primaryOf(p));
    }
    // c held 4 of the 12 copies; d, with none, takes every one of them.
    assertThat(copies(restored)).containsEntry("d", 4);
  }

  @Test
  void restoreGivesBackCopiesToTheMemberThatStillHoldsTheirData() {
    PartitionTable before = TableAssignment.initial(6, 2, List.of("a", "b", "c"));
    Set<Integer> heldByC = partitionsOf(before, "c");
    PartitionTable lost = TableAssignment.afterLoss(before, Set.of("a", "b"));

    PartitionTable restored =
        TableAssignment.restoreReplication(lost, Set.of("a", "b", "c", "d"), Map.of("c", heldByC));

    assertThat(partitionsOf(restored, "c")).isEqualTo(heldByC);
    assertThat(partitionsOf(restored, "d")).isEmpty();
    heldByC.forEach(p -> assertThat(restored.assignment(p).isInSync("c")).isFalse());
  }

  @Test
  void restoreAsksNoMoreCopiesThanLiveMembers() {
    PartitionTable lost =
        TableAssignment.afterLoss(
            TableAssignment.initial(4, 3, List.of("a", "b", "c")), Set.of("a", "b"));

    assertThat(TableAssignment.restoreReplication(lost, Set.of("a", "b"), Map.of())).isSameAs(lost);
  }

  @Test
  void restoreLeavesAPartitionWithoutPrimaryAlone() {
    PartitionTable table = table(new PartitionAssignment(null, 2, List.of("b"), List.of()));

    assertThat(
            TableAssignment.restoreReplication(
                table, Set.of("a", "b", "c"), Map.of("a", Set.of(0))))
        .isSameAs(table);
  }

  @ParameterizedTest(name = "P={0} R={1} members={2}")
  @MethodSource("replicatedShapes")
  void aReturningMemberTakesBackItsShareOfPrimariesWithTheFewestMoves(
      int partitions, int replication, int memberCount) {
    List<String> members = members(memberCount);
    String returning = members.get(memberCount - 1);
    Set<String> all = Set.copyOf(members);
    PartitionTable before = TableAssignment.initial(partitions, replication, members);
    PartitionTable lost =
        TableAssignment.afterLoss(before, new HashSet<>(without(members, returning)));
    PartitionTable caughtUp =
        allInSync(
            TableAssignment.restoreReplication(
                lost, all, Map.of(returning, partitionsOf(before, returning))));

    PartitionTable balanced = TableAssignment.rebalance(caughtUp, all);

    assertStep(caughtUp, balanced);
    assertThat(spread(primaries(balanced), members)).isLessThanOrEqualTo(1);
    // Every move hands the returning member a primary, and it gets no more than its fair share.
    List<Integer> moved = movedPartitions(caughtUp, balanced);
    assertThat(moved).allSatisfy(p -> assertThat(balanced.primaryOf(p)).isEqualTo(returning));
    assertThat(moved).hasSizeLessThanOrEqualTo(partitions / memberCount);
    for (int p : moved) {
      PartitionAssignment now = balanced.assignment(p);
      assertThat(now.replicas()).contains(caughtUp.primaryOf(p));
      assertThat(now.inSync()).isEqualTo(caughtUp.assignment(p).inSync());
    }
  }

  @Test
  void rebalanceMovesAPrimaryOnlyToAnInSyncReplica() {
    PartitionTable table =
        table(
            new PartitionAssignment("a", 1, List.of("b"), List.of("a")),
            new PartitionAssignment("a", 1, List.of("b"), List.of("a")));

    assertThat(TableAssignment.rebalance(table, Set.of("a", "b"))).isSameAs(table);
  }

  @Test
  void rebalanceOfABalancedTableIsTheSameTable() {
    PartitionTable table = TableAssignment.initial(64, 3, List.of("a", "b", "c", "d", "e"));

    assertThat(TableAssignment.rebalance(table, Set.of("a", "b", "c", "d", "e"))).isSameAs(table);
  }

  @Test
  void rebalanceHandsLoadAlongAChainWhenNoDirectMoveExists() {
    PartitionTable table =
        table(
            new PartitionAssignment("a", 1, List.of("b"), List.of("a", "b")),
            new PartitionAssignment("a", 1, List.of("b"), List.of("a", "b")),
            new PartitionAssignment("b", 1, List.of("c"), List.of("b", "c")));

    PartitionTable balanced = TableAssignment.rebalance(table, Set.of("a", "b", "c"));

    assertStep(table, balanced);
    assertThat(primaries(balanced))
        .containsOnly(Map.entry("a", 1), Map.entry("b", 1), Map.entry("c", 1));
    assertThat(movedPartitions(table, balanced)).hasSize(2);
  }

  static List<String> members(int count) {
    return IntStream.range(0, count).mapToObj(i -> "node-" + i).toList();
  }

  static PartitionTable table(PartitionAssignment... assignments) {
    return new PartitionTable(1, 3, List.of(assignments));
  }

  /** Every replica marked caught up, as primaries do once their replicas have the tail. */
  static PartitionTable allInSync(PartitionTable table) {
    for (int p = 0; p < table.partitionCount(); p++) {
      for (String replica : table.assignment(p).replicas()) {
        table = TableAssignment.withInSync(table, p, replica);
      }
    }
    return table;
  }

  static Map<String, Integer> primaries(PartitionTable table) {
    Map<String, Integer> counts = new HashMap<>();
    table.partitions().stream()
        .filter(a -> a.primary() != null)
        .forEach(a -> counts.merge(a.primary(), 1, Integer::sum));
    return counts;
  }

  static Map<String, Integer> copies(PartitionTable table) {
    Map<String, Integer> counts = new HashMap<>();
    table.partitions().forEach(a -> a.copies().forEach(id -> counts.merge(id, 1, Integer::sum)));
    return counts;
  }

  /** Most minus fewest among {@code members}, counting a member absent from the map as 0. */
  static int spread(Map<String, Integer> counts, Collection<String> members) {
    List<Integer> values = members.stream().map(id -> counts.getOrDefault(id, 0)).toList();
    return values.stream().max(Integer::compare).orElseThrow()
        - values.stream().min(Integer::compare).orElseThrow();
  }

  static Set<Integer> partitionsOf(PartitionTable table, String member) {
    Set<Integer> held = new HashSet<>();
    for (int p = 0; p < table.partitionCount(); p++) {
      if (table.assignment(p).copies().contains(member)) {
        held.add(p);
      }
    }
    return held;
  }

  static List<Integer> movedPartitions(PartitionTable before, PartitionTable after) {
    List<Integer> moved = new ArrayList<>();
    for (int p = 0; p < before.partitionCount(); p++) {
      if (!Objects.equals(before.primaryOf(p), after.primaryOf(p))) {
        moved.add(p);
      }
    }
    return moved;
  }

  static List<String> without(List<String> ids, String id) {
    return ids.stream().filter(other -> !other.equals(id)).toList();
  }

  @Test
  void aReturningMemberGetsItsShareOfCopiesBackAndThenItsPrimaries() {
    PartitionTable table = TableAssignment.initial(12, 2, List.of("a", "b", "c"));
    Set<String> all = Set.of("a", "b", "c");
    PartitionTable lost = TableAssignment.afterLoss(table, Set.of("a", "b"));
    lost = TableAssignment.restoreReplication(lost, Set.of("a", "b"), Map.of());
    lost = inSyncEverywhere(lost);

    PartitionTable spread =
        TableAssignment.spreadCopies(lost, all, Map.of("c", Set.of(0, 1, 2, 3, 4, 5, 6, 7)));
    assertThat(spread.partitions().stream().filter(a -> a.copies().contains("c")).count())
        .isEqualTo(8);
    assertThat(spread.partitions()).allSatisfy(a -> assertThat(a.inSync()).doesNotContain("c"));
    assertThat(TableAssignment.trimCopies(spread, all))
        .as("no copy leaves before the new one is in sync")
        .isSameAs(spread);

    PartitionTable trimmed = TableAssignment.trimCopies(inSyncEverywhere(spread), all);
    assertThat(trimmed.partitions()).allSatisfy(a -> assertThat(a.copies()).hasSize(2));
    PartitionTable balanced = TableAssignment.rebalance(trimmed, all);
    Map<String, Long> primaries = new java.util.HashMap<>();
    balanced.partitions().forEach(a -> primaries.merge(a.primary(), 1L, Long::sum));
    assertThat(primaries)
        .containsOnlyKeys("a", "b", "c")
        .allSatisfy((id, n) -> assertThat(n).isEqualTo(4));
    assertThat(TableAssignment.spreadCopies(balanced, all, Map.of())).isSameAs(balanced);
  }

  private static PartitionTable inSyncEverywhere(PartitionTable table) {
    PartitionTable next = table;
    for (int p = 0; p < table.partitionCount(); p++) {
      for (String replica : table.assignment(p).replicas()) {
        next = TableAssignment.withInSync(next, p, replica);
      }
    }
    return next;
  }
}
