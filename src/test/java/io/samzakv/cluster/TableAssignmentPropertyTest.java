package io.samzakv.cluster;

import static io.samzakv.cluster.TableInvariants.assertStep;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random histories of losses, returns, in-sync shrinks and catch-ups, restores and rebalances,
 * against a model of which members hold every acknowledged write: after every step the table keeps
 * its invariants and no member missing an acknowledged write is in sync, let alone primary.
 */
class TableAssignmentPropertyTest {
  private static final List<String> MEMBERS = List.of("n0", "n1", "n2", "n3", "n4");
  private static final int PARTITIONS = 12;
  private static final int STEPS = 400;

  static LongStream seeds() {
    return LongStream.range(0, 25);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void noHistoryPromotesACopyMissingAnAcknowledgedWrite(long seed) {
    Random random = new Random(seed);
    int replication = 2 + random.nextInt(2);
    Set<String> live = new TreeSet<>(MEMBERS);
    PartitionTable table = TableAssignment.initial(PARTITIONS, replication, MEMBERS);
    // Per partition, the members holding every write acknowledged so far.
    List<Set<String>> complete = new ArrayList<>();
    table.partitions().forEach(a -> complete.add(new HashSet<>(a.copies())));
    Map<String, Set<Integer>> onDisk = new HashMap<>();

    for (int step = 0; step < STEPS; step++) {
      PartitionTable previous = table;
      String action;
      switch (random.nextInt(6)) {
        case 0 -> {
          if (live.size() == 1) {
            continue;
          }
          String dead = pick(random, live);
          action = "lose " + dead;
          onDisk.put(dead, TableAssignmentTest.partitionsOf(table, dead));
          live.remove(dead);
          table = TableAssignment.afterLoss(table, live);
        }
        case 1 -> {
          Set<String> dead = new TreeSet<>(MEMBERS);
          dead.removeAll(live);
          if (dead.isEmpty()) {
            continue;
          }
          String back = pick(random, dead);
          action = "return " + back;
          live.add(back);
          table = TableAssignment.restoreReplication(table, live, Map.of(back, onDisk.get(back)));
          assertOnlyAddsCopies(previous, table);
        }
        case 2 -> {
          int p = random.nextInt(PARTITIONS);
          List<String> replicas = table.assignment(p).inSyncReplicas();
          if (replicas.isEmpty()) {
            continue;
          }
          String lagging = pick(random, replicas);
          action = "shrink " + p + " without " + lagging;
          table = TableAssignment.withoutInSync(table, p, lagging);
        }
        case 3 -> {
          int p = random.nextInt(PARTITIONS);
          PartitionAssignment assignment = table.assignment(p);
          List<String> behind =
              assignment.replicas().stream().filter(id -> !assignment.isInSync(id)).toList();
          if (assignment.primary() == null || behind.isEmpty()) {
            continue;
          }
          String caughtUp = pick(random, behind);
          action = "expand " + p + " with " + caughtUp;
          complete.get(p).add(caughtUp);
          table = TableAssignment.withInSync(table, p, caughtUp);
        }
        case 4 -> {
          action = "restore";
          table = TableAssignment.restoreReplication(table, live, Map.of());
          assertOnlyAddsCopies(previous, table);
        }
        default -> {
          action = "rebalance";
          table = TableAssignment.rebalance(table, live);
        }
      }

      String context = "seed " + seed + " step " + step + " " + action;
      assertStep(previous, table);
      for (int p = 0; p < PARTITIONS; p++) {
        PartitionAssignment assignment = table.assignment(p);
        assertThat(complete.get(p))
            .as(context + " partition " + p)
            .containsAll(assignment.inSync());
        assertThat(assignment.copies()).as(context).allSatisfy(id -> assertThat(live).contains(id));
        if (assignment.primary() != null) {
          // A write acknowledged now reaches exactly the in-sync set.
          complete.set(p, new HashSet<>(assignment.inSync()));
        }
      }
    }
  }

  private static void assertOnlyAddsCopies(PartitionTable previous, PartitionTable restored) {
    for (int p = 0; p < previous.partitionCount(); p++) {
      PartitionAssignment before = previous.assignment(p);
      PartitionAssignment after = restored.assignment(p);
      assertThat(after.copies()).containsAll(before.copies());
      assertThat(after.inSync()).isEqualTo(before.inSync());
      assertThat(after.primary()).isEqualTo(before.primary());
    }
  }

  private static String pick(Random random, Iterable<String> ids) {
    List<String> list = new ArrayList<>();
    ids.forEach(list::add);
    return list.get(random.nextInt(list.size()));
  }
}
