package io.samzakv.storage.lmdb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samzakv.storage.KeyValue;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.PartitionCountMismatchException;
import io.samzakv.storage.WriteBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmdbStorageEngineTest {

  private static final LmdbOptions OPTIONS = new LmdbOptions(1 << 20, 64);

  @TempDir Path dir;
  private LmdbStorageEngine engine;

  @AfterEach
  void closeEngine() {
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void newStoreHasTheConfiguredPartitionsAndPositionZero() {
    engine = LmdbStorageEngine.open(dir, 4, OPTIONS);

    assertThat(engine.partitionCount()).isEqualTo(4);
    assertThat(engine.appliedPosition()).isZero();
  }

  @Test
  void putGetDeleteRoundTripsAndPartitionsAreIsolated() {
    engine = LmdbStorageEngine.open(dir, 4, OPTIONS);

    engine.apply(batch(1, Mutation.put(0, b("k"), b("zero")), Mutation.put(2, b("k"), b("two"))));

    assertThat(engine.get(0, b("k"))).isEqualTo(b("zero"));
    assertThat(engine.get(2, b("k"))).isEqualTo(b("two"));
    assertThat(engine.get(1, b("k"))).isNull();

    engine.apply(batch(2, Mutation.delete(0, b("k"))));

    assertThat(engine.get(0, b("k"))).isNull();
    assertThat(engine.get(2, b("k"))).isEqualTo(b("two"));
  }

  @Test
  void putOverwritesAndDeletingAnAbsentKeyIsNotAnError() {
    engine = LmdbStorageEngine.open(dir, 1, OPTIONS);

    engine.apply(batch(1, Mutation.put(0, b("k"), b("old")), Mutation.put(0, b("k"), b("new"))));
    engine.apply(batch(2, Mutation.delete(0, b("never-written"))));

    assertThat(engine.get(0, b("k"))).isEqualTo(b("new"));
    assertThat(engine.appliedPosition()).isEqualTo(2);
  }

  @Test
  void emptyValueIsStoredAndDistinctFromAbsent() {
    engine = LmdbStorageEngine.open(dir, 1, OPTIONS);

    engine.apply(batch(1, Mutation.put(0, b("k"), new byte[0])));

    assertThat(engine.get(0, b("k"))).isEmpty();
  }

  @Test
  void returnedBytesAreCopiesThatSurviveLaterWrites() {
    engine = LmdbStorageEngine.open(dir, 1, OPTIONS);
    engine.apply(batch(1, Mutation.put(0, b("k"), b("first"))));
    byte[] got = engine.get(0, b("k"));

    engine.apply(batch(2, Mutation.put(0, b("k"), b("other"))));

    assertThat(got).isEqualTo(b("first"));
  }

  @Test
  void keyOf511BytesWorksAnd512IsRejected() {
    engine = LmdbStorageEngine.open(dir, 1, OPTIONS);
    byte[] longest = filled(511, (byte) 0xEE);

    engine.apply(batch(1, Mutation.put(0, longest, b("v"))));

    assertThat(engine.get(0, longest)).isEqualTo(b("v"));
    assertThat(engine.scan(new int[] {0}, longest, null, 10)).hasSize(1);
    assertThatThrownBy(() -> engine.apply(batch(2, Mutation.put(0, new byte[512], b("v")))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("512");
    assertThatThrownBy(() -> engine.get(0, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(engine.appliedPosition()).isEqualTo(1);
  }

  @Test
  void partitionOutOfRangeIsRejected() {
    engine = LmdbStorageEngine.open(dir, 2, OPTIONS);

    assertThatThrownBy(() -> engine.get(2, b("k"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> engine.scan(new int[] {-1}, b("a"), null, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void scanMergesPartitionsInUnsignedByteOrder() {
    engine = LmdbStorageEngine.open(dir, 3, OPTIONS);
    engine.apply(
        batch(
            1,
            Mutation.put(0, b("é"), b("0")), // 0xC3 0xA9: above every ASCII byte
            Mutation.put(1, b("ab"), b("1")),
            Mutation.put(2, b("a"), b("2")),
            Mutation.put(0, b("abc"), b("0")),
            Mutation.put(1, b("z"), b("1")),
            Mutation.put(2, b("€"), b("2")), // 0xE2 0x82 0xAC
            Mutation.put(2, b("b"), b("2"))));

    List<KeyValue> all = engine.scan(new int[] {0, 1, 2}, new byte[0], null, 100);

    assertThat(keys(all)).containsExactly("a", "ab", "abc", "b", "z", "é", "€");
    assertThat(all).extracting(KeyValue::partition).containsExactly(2, 1, 0, 2, 1, 0, 2);
    assertThat(all.get(0).value()).isEqualTo(b("2"));
  }

  @Test
  void scanStartIsInclusiveEndIsExclusiveAndLimitCaps() {
    engine = LmdbStorageEngine.open(dir, 2, OPTIONS);
    engine.apply(
        batch(
            1,
            Mutation.put(0, b("a"), b("v")),
            Mutation.put(1, b("b"), b("v")),
            Mutation.put(0, b("c"), b("v")),
            Mutation.put(1, b("d"), b("v")),
            Mutation.put(0, b("e"), b("v"))));
    int[] both = {0, 1};

    assertThat(keys(engine.scan(both, b("b"), b("d"), 100))).containsExactly("b", "c");
    assertThat(keys(engine.scan(both, b("bb"), null, 100))).containsExactly("c", "d", "e");
    assertThat(keys(engine.scan(both, b("a"), null, 2))).containsExactly("a", "b");
    assertThat(engine.scan(both, b("a"), null, 0)).isEmpty();
    assertThat(engine.scan(both, b("f"), null, 10)).isEmpty();
    assertThat(keys(engine.scan(new int[] {1}, b("a"), null, 10))).containsExactly("b", "d");
  }

  @Test
  void appliedPositionAndDataPersistAcrossReopen() {
    engine = LmdbStorageEngine.open(dir, 2, OPTIONS);
    engine.apply(batch(41, Mutation.put(1, b("k"), b("v"))));
    engine.apply(batch(42, Mutation.put(0, b("j"), b("w"))));
    assertThat(engine.sync()).isEqualTo(42);
    engine.close();

    engine = LmdbStorageEngine.open(dir, 2, OPTIONS);

    assertThat(engine.appliedPosition()).isEqualTo(42);
    assertThat(engine.get(1, b("k"))).isEqualTo(b("v"));
    assertThat(engine.get(0, b("j"))).isEqualTo(b("w"));
  }

  @Test
  void reopeningWithAnotherPartitionCountFailsAndLeavesTheStoreUsable() {
    LmdbStorageEngine.open(dir, 64, OPTIONS).close();

    assertThatThrownBy(() -> LmdbStorageEngine.open(dir, 32, OPTIONS))
        .isInstanceOf(PartitionCountMismatchException.class)
        .hasMessageContaining("64 partitions, but 32 are configured");

    engine = LmdbStorageEngine.open(dir, 64, OPTIONS);
    assertThat(engine.partitionCount()).isEqualTo(64);
  }

  @Test
  void closeIsIdempotentAndLaterCallsFail() {
    engine = LmdbStorageEngine.open(dir, 1, OPTIONS);
    engine.close();
    engine.close();

    assertThatThrownBy(() -> engine.get(0, b("k"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> engine.apply(batch(1, Mutation.put(0, b("k"), b("v")))))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void fiftyMegabytesWrittenThenDeletedGrowTheMapWithoutFailing() {
    engine = LmdbStorageEngine.open(dir, 4, OPTIONS);
    int values = 2_500;
    int valueSize = 20_000; // 50 MB in a map that starts at 1 MiB
    for (int first = 0; first < values; first += 50) {
      List<Mutation> puts = new ArrayList<>();
      for (int i = first; i < first + 50; i++) {
        puts.add(Mutation.put(i % 4, key(i), filled(valueSize, (byte) i)));
      }
      engine.apply(new WriteBatch(puts, first));
    }
    assertThat(engine.get(3, key(1999))).isEqualTo(filled(valueSize, (byte) 1999));

    for (int first = 0; first < values; first += 500) {
      List<Mutation> deletes = new ArrayList<>();
      for (int i = first; i < first + 500; i++) {
        deletes.add(Mutation.delete(i % 4, key(i)));
      }
      engine.apply(new WriteBatch(deletes, values + first));
    }

    assertThat(engine.get(3, key(1999))).isNull();
    assertThat(engine.scan(new int[] {0, 1, 2, 3}, new byte[0], null, 10)).isEmpty();
  }

  @Test
  void manySmallKeysFillAndEmptyATinyMap() {
    engine = LmdbStorageEngine.open(dir, 1, new LmdbOptions(64 << 10, 8));
    for (int batch = 0; batch < 20; batch++) {
      List<Mutation> puts = new ArrayList<>();
      for (int i = 0; i < 5_000; i++) {
        puts.add(Mutation.put(0, key(batch * 5_000 + i), b("small")));
      }
      engine.apply(new WriteBatch(puts, batch));
    }
    List<Mutation> deletes = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      deletes.add(Mutation.delete(0, key(i)));
    }

    engine.apply(new WriteBatch(deletes, 100));

    assertThat(engine.scan(new int[] {0}, new byte[0], null, 1)).isEmpty();
  }

  static WriteBatch batch(long position, Mutation... mutations) {
    return new WriteBatch(List.of(mutations), position);
  }

  static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  static byte[] key(int i) {
    return b(String.format("key-%08d", i));
  }

  static byte[] filled(int size, byte value) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, value);
    return bytes;
  }

  private static List<String> keys(List<KeyValue> entries) {
    return entries.stream().map(kv -> new String(kv.key(), UTF_8)).toList();
  }
}
