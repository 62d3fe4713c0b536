package io.samzakv.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samzakv.cluster.RestartDecision.Ready;
import io.samzakv.cluster.RestartDecision.Waiting;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FirstAfterRestartTest {

  @Test
  void aBrandNewClusterStartsFromTheInitialTable() {
    RestartDecision decision =
        TableAssignment.firstAfterRestart(8, 2, List.of(fresh("b"), fresh("a"), fresh("c")));

    assertThat(decision)
        .isEqualTo(new Ready(TableAssignment.initial(8, 2, List.of("a", "b", "c"))));
  }

  @Test
  void waitsForEveryMemberTheNewestTableNames() {
    PartitionTable table = new PartitionTable(5, 2, List.of(assignment("a", "b", "c")));

    RestartDecision decision =
        TableAssignment.firstAfterRestart(
            1, 2, List.of(member("a", table, at(5, 9)), member("b", table, at(5, 9))));

    assertThat(decision).isEqualTo(new Waiting(Set.of("c")));
  }

  @Test
  void anOlderTableDoesNotMakeItsMembersNeeded() {
    PartitionTable old = new PartitionTable(3, 2, List.of(assignment("a", "b", "c")));
    PartitionTable newest = new PartitionTable(7, 2, List.of(assignment("a", "b")));

    RestartDecision decision =
        TableAssignment.firstAfterRestart(
            1, 2, List.of(member("a", newest, at(7, 4)), member("b", old, at(5, 2))));

    assertThat(decision).isInstanceOf(Ready.class);
    assertThat(((Ready) decision).table().members()).containsExactly("a", "b");
  }

  @Test
  void theInSyncCopyThatAppliedTheMostBecomesPrimaryAndOnlyItsEqualsStayInSync() {
    // c applied the most of all but was out of sync: its extra records were never acknowledged.
    PartitionTable table =
        new PartitionTable(
            4,
            3,
            List.of(
                new PartitionAssignment("a", 4, List.of("b", "c", "d"), List.of("a", "b", "d"))));

    Ready decision =
        (Ready)
            TableAssignment.firstAfterRestart(
                1,
                3,
                List.of(
                    member("a", table, at(3, 50)),
                    member("b", table, at(4, 2)),
                    member("c", table, at(4, 90)),
                    member("d", table, at(4, 2))));

    assertThat(decision.table().assignment(0))
        .isEqualTo(new PartitionAssignment("b", 5, List.of("a", "c", "d"), List.of("b", "d")));
  }

  @Test
  void onEqualPositionsTheOldPrimaryStays() {
    PartitionTable table = new PartitionTable(4, 3, List.of(assignment("b", "a", "c")));

    Ready decision =
        (Ready)
            TableAssignment.firstAfterRestart(
                1,
                3,
                List.of(
                    member("a", table, at(4, 7)),
                    member("b", table, at(4, 7)),
                    member("c", table, at(4, 7))));

    assertThat(decision.table().assignment(0))
        .isEqualTo(new PartitionAssignment("b", 5, List.of("a", "c"), List.of("b", "a", "c")));
  }

  @Test
  void everyPartitionStartsALeaderEpochAboveAnyPersistedOne() {
    PartitionTable older =
        new PartitionTable(6, 2, List.of(assignment("a", "b"), assignment("b", "a")));
    PartitionTable newest =
        new PartitionTable(
            9,
            2,
            List.of(
                new PartitionAssignment("a", 2, List.of("b"), List.of("a", "b")),
                new PartitionAssignment("b", 8, List.of("a"), List.of("b", "a"))));

    Ready decision =
        (Ready)
            TableAssignment.firstAfterRestart(
                2,
                2,
                List.of(
                    member("a", older, at(2, 10), at(6, 1)),
                    member("b", newest, at(2, 10), at(8, 3))));

    assertThat(decision.table().epoch()).isEqualTo(10);
    assertThat(decision.table().partitions())
        .extracting(PartitionAssignment::leaderEpoch)
        .containsOnly(10L);
    assertThat(decision.table().primaryOf(1)).isEqualTo("b");
    assertThat(decision.table().assignment(1).inSync()).containsExactly("b");
  }

  @Test
  void aPartitionWithoutInSyncCopiesStaysWithoutPrimary() {
    PartitionTable table =
        new PartitionTable(
            3, 2, List.of(new PartitionAssignment(null, 3, List.of("a", "b"), List.of())));

    Ready decision =
        (Ready)
            TableAssignment.firstAfterRestart(
                1, 2, List.of(member("a", table, at(2, 5)), member("b", table, at(2, 5))));

    assertThat(decision.table().assignment(0))
        .isEqualTo(new PartitionAssignment(null, 4, List.of("a", "b"), List.of()));
  }

  @Test
  void aPersistedTableWithAnotherPartitionCountIsRefused() {
    PartitionTable table = new PartitionTable(3, 1, List.of(assignment("a")));

    assertThatThrownBy(
            () -> TableAssignment.firstAfterRestart(2, 1, List.of(member("a", table, at(1, 1)))))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void positionsOrderByLeaderEpochBeforeSequence() {
    assertThat(at(3, 1)).isGreaterThan(at(2, 1000));
    assertThat(at(3, 2)).isGreaterThan(at(3, 1));
    assertThat(new MemberRecovery("a", null, List.of()).positionOf(4))
        .isEqualTo(PartitionPosition.NONE);
  }

  /** A partition whose copies are {@code holders}, the first primary, all in sync. */
  private static PartitionAssignment assignment(String... holders) {
    List<String> all = List.of(holders);
    return new PartitionAssignment(all.get(0), 1, all.subList(1, all.size()), all);
  }

  private static MemberRecovery member(
      String id, PartitionTable lastTable, PartitionPosition... positions) {
    return new MemberRecovery(id, lastTable, List.of(positions));
  }

  private static MemberRecovery fresh(String id) {
    return new MemberRecovery(id, null, List.of());
  }

  private static PartitionPosition at(long leaderEpoch, long sequence) {
    return new PartitionPosition(leaderEpoch, sequence);
  }
}
