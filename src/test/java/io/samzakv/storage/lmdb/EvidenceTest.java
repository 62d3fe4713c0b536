package io.samzakv.storage.lmdb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.storage.EntryDigest;
import io.samzakv.storage.Evidence;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.PartitionScrub;
import io.samzakv.storage.WriteBatch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * The evidence invariant: after every committed batch, each partition's recorded count and digest
 * equal a recount of what it holds, through puts, overwrites, deletes (of present and absent keys,
 * several of one key in a batch), a replay of the same batch, a reopen, and a store that predates
 * evidence. And the converse: data changed behind the engine's back no longer matches.
 */
class EvidenceTest {
  private static final int PARTITIONS = 3;
  private static final int PREFIX = 13;
  private static final LmdbOptions OPTIONS = new LmdbOptions(1 << 20, 16, PREFIX);
  private static final EntryDigest DIGEST = new EntryDigest(PREFIX);

  @TempDir Path dir;
  private LmdbStorageEngine engine;

  /** What each partition should hold: key text to value. */
  private final List<Map<String, byte[]>> model = new ArrayList<>();

  @AfterEach
  void closeEngine() {
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void randomPutsOverwritesAndDeletesKeepTheEvidenceEqualToARecount() {
    engine = LmdbStorageEngine.open(dir, PARTITIONS, OPTIONS);
    Random random = new Random(12);
    long position = 0;
    for (int round = 0; round < 200; round++) {
      List<Mutation> batch = new ArrayList<>();
      for (int n = random.nextInt(20) + 1; n > 0; n--) {
        batch.add(randomMutation(random));
      }
      WriteBatch applied = new WriteBatch(batch, ++position);
      engine.apply(applied);
      if (round % 50 == 0) {
        // Recovery replays records the engine may already hold: the evidence must not drift.
        engine.apply(applied);
      }
      assertEveryPartitionMatchesTheModel();
    }
    assertThat(model.stream().mapToInt(Map::size).sum()).as("keys left").isGreaterThan(20);

    engine.close();
    engine = LmdbStorageEngine.open(dir, PARTITIONS, OPTIONS);
    assertEveryPartitionMatchesTheModel();
  }

  @Test
  void aStoreWithoutEvidenceGetsItComputedAtOpen() {
    engine = LmdbStorageEngine.open(dir, PARTITIONS, OPTIONS);
    Random random = new Random(7);
    for (int n = 0; n < 100; n++) {
      engine.apply(new WriteBatch(List.of(randomMutation(random)), n + 1));
    }
    engine.close();
    engine = null;
    withRawEnv(
        (dbis, txn) -> {
          for (int p = 0; p < PARTITIONS; p++) {
            String key = String.format("evidence/p%05d", p);
            assertThat(dbis.get("meta").delete(txn, direct(key))).isTrue();
          }
        });

    engine = LmdbStorageEngine.open(dir, PARTITIONS, OPTIONS);

    assertEveryPartitionMatchesTheModel();
  }

  @Test
  void anEntryAddedOrRemovedBehindTheEnginesBackBreaksTheEvidence() {
    engine = LmdbStorageEngine.open(dir, 2, OPTIONS);
    engine.apply(
        new WriteBatch(
            List.of(
                Mutation.put(0, b("a"), value(1)),
                Mutation.put(0, b("b"), value(2)),
                Mutation.put(1, b("c"), value(3))),
            1));
    engine.close();
    engine = null;
    withRawEnv(
        (dbis, txn) -> {
          dbis.get("p00000").delete(txn, direct("b"));
          dbis.get("p00001").put(txn, direct("d"), ByteBuffer.allocateDirect(20));
        });

    engine = LmdbStorageEngine.open(dir, 2, OPTIONS);

    PartitionScrub lost = engine.scrub(0, value -> true);
    assertThat(lost.matchesEvidence()).isFalse();
    assertThat(lost.found().entries()).isEqualTo(1);
    assertThat(lost.recorded().entries()).isEqualTo(2);
    assertThat(lost.describe()).contains("holds 1 entries").contains("says 2");
    assertThat(engine.scrub(1, value -> true).matchesEvidence()).isFalse();
  }

  @Test
  void aRebuiltPartitionMatchesItsEvidenceAndSurvivesAReopen() {
    engine = LmdbStorageEngine.open(dir, 2, OPTIONS);
    List<Mutation> history =
        List.of(
            Mutation.put(0, b("a"), value(1)),
            Mutation.put(0, b("b"), value(2)),
            Mutation.put(0, b("a"), value(3)),
            Mutation.delete(0, b("b")),
            Mutation.put(0, b("c"), value(4)));
    engine.apply(new WriteBatch(history, 5));
    engine.close();
    engine = null;
    withRawEnv((dbis, txn) -> dbis.get("p00000").delete(txn, direct("c")));
    engine = LmdbStorageEngine.open(dir, 2, OPTIONS);
    assertThat(engine.scrub(0, value -> true).matchesEvidence()).isFalse();

    engine.rebuild(0, sink -> history.forEach(sink));

    assertRebuilt();
    engine.close();
    engine = LmdbStorageEngine.open(dir, 2, OPTIONS);
    assertRebuilt();
  }

  private void assertRebuilt() {
    PartitionScrub scrub = engine.scrub(0, value -> true);
    assertThat(scrub.intact()).as(scrub.describe()).isTrue();
    assertThat(scrub.found().entries()).isEqualTo(2);
    assertThat(engine.get(0, b("a"))).isEqualTo(value(3));
    assertThat(engine.get(0, b("b"))).isNull();
    assertThat(engine.get(0, b("c"))).isEqualTo(value(4));
  }

  @Test
  void aValueThatFailsTheCallersCheckIsCountedWhileTheEvidenceHolds() {
    engine = LmdbStorageEngine.open(dir, 1, OPTIONS);
    engine.apply(
        new WriteBatch(
            List.of(Mutation.put(0, b("good"), value(1)), Mutation.put(0, b("bad"), b("rot"))), 1));

    PartitionScrub scrub = engine.scrub(0, stored -> stored.remaining() != 3);

    assertThat(scrub.matchesEvidence()).isTrue();
    assertThat(scrub.badValues()).isEqualTo(1);
    assertThat(scrub.intact()).isFalse();
  }

  private Mutation randomMutation(Random random) {
    int partition = random.nextInt(PARTITIONS);
    String key = "k" + random.nextInt(40);
    Map<String, byte[]> keys = partition(partition);
    if (random.nextInt(4) == 0) {
      keys.remove(key);
      return Mutation.delete(partition, b(key));
    }
    byte[] value = value(random.nextInt(1000));
    keys.put(key, value);
    return Mutation.put(partition, b(key), value);
  }

  private Map<String, byte[]> partition(int partition) {
    while (model.size() <= partition) {
      model.add(new HashMap<>());
    }
    return model.get(partition);
  }

  private void assertEveryPartitionMatchesTheModel() {
    for (int p = 0; p < PARTITIONS; p++) {
      Evidence expected = Evidence.EMPTY;
      for (Map.Entry<String, byte[]> entry : partition(p).entrySet()) {
        expected = expected.plus(DIGEST.of(b(entry.getKey()), entry.getValue()));
      }
      PartitionScrub scrub = engine.scrub(p, value -> true);
      assertThat(scrub.intact()).as("partition %d: %s", p, scrub.describe()).isTrue();
      assertThat(scrub.recorded()).as("partition %d", p).isEqualTo(expected);
    }
  }

  /** A value shaped like the codec's: its first 13 bytes differ for each {@code seed}. */
  private static byte[] value(int seed) {
    byte[] value = new byte[PREFIX + 20];
    ByteBuffer.wrap(value).putLong(seed).put((byte) 0).putInt(seed * 31);
    return value;
  }

  private interface RawEdit {
    void edit(Map<String, Dbi<ByteBuffer>> dbis, Txn<ByteBuffer> txn);
  }

  /** Edits the closed store with plain lmdbjava, as damage or an old version would leave it. */
  private void withRawEnv(RawEdit edit) {
    try (Env<ByteBuffer> env = Env.create().setMaxDbs(PARTITIONS + 1).open(dir.toFile())) {
      Map<String, Dbi<ByteBuffer>> dbis = new HashMap<>();
      for (byte[] name : env.getDbiNames()) {
        dbis.put(new String(name, UTF_8), env.openDbi(name));
      }
      try (Txn<ByteBuffer> txn = env.txnWrite()) {
        edit.edit(dbis, txn);
        txn.commit();
      }
    }
  }

  private static ByteBuffer direct(String text) {
    byte[] bytes = b(text);
    return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
  }

  private static byte[] b(String text) {
    return text.getBytes(UTF_8);
  }
}
