package io.samzakv.storage.lmdb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.storage.KeyValue;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.PartitionHistory;
import io.samzakv.storage.WriteBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each partition's history is kept with its data: it moves with the stamped mutations that change
 * the data, a snapshot and an install carry the one that matches their entries, and all of it
 * survives a restart.
 */
class LmdbHistoryTest {
  private static final LmdbOptions OPTIONS = new LmdbOptions(1 << 20, 64);
  private static final int PARTITIONS = 4;

  @TempDir Path dir;
  private LmdbStorageEngine engine;
  private long position;

  @BeforeEach
  void open() {
    engine = LmdbStorageEngine.open(dir, PARTITIONS, OPTIONS);
  }

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void aNewStoreHasEmptyHistories() {
    for (int p = 0; p < PARTITIONS; p++) {
      assertThat(engine.history(p)).isEqualTo(PartitionHistory.EMPTY);
    }
  }

  @Test
  void historyMovesWithStampedMutationsOnlyAndSurvivesReopen() {
    apply(put(1, "a", "1").stamped(1, 1), put(1, "b", "2").stamped(1, 2), put(2, "x", "x"));
    apply(put(1, "a", "3").stamped(3, 3));
    apply(Mutation.delete(1, b("b")), put(3, "y", "y"));

    PartitionHistory expected = PartitionHistory.EMPTY.advance(1, 1).advance(1, 2).advance(3, 3);
    assertThat(engine.history(1)).isEqualTo(expected);
    assertThat(engine.history(2)).as("unstamped only").isEqualTo(PartitionHistory.EMPTY);
    assertThat(engine.history(0)).isEqualTo(PartitionHistory.EMPTY);

    reopen();
    assertThat(engine.history(1)).isEqualTo(expected);
    assertThat(engine.history(2)).isEqualTo(PartitionHistory.EMPTY);
    assertThat(engine.get(1, b("a"))).isEqualTo(b("3"));
  }

  @Test
  void aSnapshotHoldsTheEntriesAndTheHistoryOfOneMoment() {
    apply(put(2, "a", "1").stamped(5, 1), put(2, "b", "2").stamped(5, 2), put(1, "a", "other"));
    apply(Mutation.delete(2, b("a")).stamped(5, 3), put(2, "c", "3").stamped(5, 4));

    List<KeyValue> entries = new ArrayList<>();
    PartitionHistory history = engine.snapshot(2, entries::add);

    assertThat(history).isEqualTo(engine.history(2));
    assertThat(history.sequence()).isEqualTo(4);
    assertThat(entries).extracting(e -> new String(e.key(), UTF_8)).containsExactly("b", "c");
    assertThat(entries).allSatisfy(e -> assertThat(e.partition()).isEqualTo(2));
    assertThat(entries.get(1).value()).isEqualTo(b("3"));
  }

  @Test
  void installReplacesThePartitionAndItsHistoryDurably() {
    apply(put(0, "old", "1").stamped(1, 1), put(0, "kept", "1").stamped(1, 2));
    apply(put(1, "neighbour", "n").stamped(1, 1));
    PartitionHistory primary = PartitionHistory.EMPTY.advance(2, 1).advance(4, 7).advance(4, 9);

    engine.install(
        0,
        sink -> {
          sink.accept(put(0, "kept", "2"));
          sink.accept(put(0, "new", "3"));
        },
        () -> primary);

    assertInstalled(primary);
    reopen();
    assertInstalled(primary);
    assertThat(engine.get(1, b("neighbour"))).isEqualTo(b("n"));

    apply(put(0, "after", "4").stamped(4, 10));
    assertThat(engine.history(0)).isEqualTo(primary.advance(4, 10));
  }

  @Test
  void aPartitionCanBeInstalledAgainAndAgain() {
    // A replica takes a snapshot whenever it fell too far behind: many times in a node's life, and
    // possibly twice within a millisecond.
    for (int round = 1; round <= 3 * PARTITIONS; round++) {
      String key = "round-" + round;
      PartitionHistory history = PartitionHistory.EMPTY.advance(round, round);
      engine.install(0, sink -> sink.accept(put(0, key, "v")), () -> history);

      List<KeyValue> entries = new ArrayList<>();
      assertThat(engine.snapshot(0, entries::add)).isEqualTo(history);
      assertThat(entries).extracting(e -> new String(e.key(), UTF_8)).containsExactly(key);
    }
    reopen();
    assertThat(engine.get(0, b("round-" + 3 * PARTITIONS))).isEqualTo(b("v"));
    assertThat(engine.get(0, b("round-1"))).isNull();
  }

  @Test
  void rebuildSetsTheHistoryTheMutationsCarry() {
    List<Mutation> log =
        List.of(
            put(3, "a", "1").stamped(1, 1),
            put(3, "b", "2").stamped(1, 2),
            Mutation.delete(3, b("a")).stamped(2, 3));
    apply(log.toArray(Mutation[]::new));

    engine.rebuild(3, sink -> log.forEach(sink));

    PartitionHistory expected = PartitionHistory.EMPTY.advance(1, 1).advance(1, 2).advance(2, 3);
    assertThat(engine.history(3)).isEqualTo(expected);
    reopen();
    assertThat(engine.history(3)).isEqualTo(expected);
    assertThat(engine.get(3, b("a"))).isNull();
    assertThat(engine.get(3, b("b"))).isEqualTo(b("2"));
  }

  private void assertInstalled(PartitionHistory history) {
    assertThat(engine.history(0)).isEqualTo(history);
    assertThat(engine.get(0, b("old"))).as("gone with the replaced copy").isNull();
    assertThat(engine.get(0, b("kept"))).isEqualTo(b("2"));
    assertThat(engine.get(0, b("new"))).isEqualTo(b("3"));
    assertThat(engine.scrub(0, value -> true).matchesEvidence()).isTrue();
  }

  private void apply(Mutation... mutations) {
    engine.apply(new WriteBatch(List.of(mutations), ++position));
  }

  private void reopen() {
    engine.close();
    engine = LmdbStorageEngine.open(dir, PARTITIONS, OPTIONS);
  }

  private static Mutation put(int partition, String key, String value) {
    return Mutation.put(partition, b(key), b(value));
  }

  private static byte[] b(String text) {
    return text.getBytes(UTF_8);
  }
}
