package io.samzakv.store;

import static io.samzakv.store.StoreFixture.await;
import static io.samzakv.store.StoreFixture.bytes;
import static io.samzakv.store.StoreFixture.failure;
import static io.samzakv.store.StoreFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.ScanRange;
import io.samzakv.routing.Partitioner;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.WriteBatch;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stored value that fails its CRC32C is never returned as data (API.md §4): reads and scans fail
 * with 500 "corrupt". The damage is done at rest, between a graceful close and a reopen, so the
 * cache cannot hide it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CorruptValueTest {
  private static final Partitioner PARTITIONER = new Partitioner(StoreFixture.PARTITIONS);
  private static final int[] ALL_PARTITIONS = IntStream.range(0, StoreFixture.PARTITIONS).toArray();
  @RegisterExtension static final SharedVertx vertx = new SharedVertx();

  @TempDir Path dir;

  /** Byte offsets into the stored form: version, flags, crc, payload (start and last byte). */
  @ParameterizedTest(name = "byte {0} flipped")
  @ValueSource(ints = {0, 7, 8, 9, 13, -1})
  void aValueWithAFlippedByteFailsAsCorruptOnGetAndScan(int offset) throws Exception {
    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      await(fx.put("victim", "a value that will rot on disk"));
      await(fx.put("victim", "a value that will rot on disk, v2"));
      await(fx.put("healthy", "fine"));
    }
    corruptAtRest(
        "victim",
        stored -> {
          int at = offset < 0 ? stored.length + offset : offset;
          stored[at] ^= 0x5a;
          return stored;
        });

    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      assertCorrupt(failure(fx.get("victim")));
      // A failed load is not cached: the next read checks again, and fails again.
      assertCorrupt(failure(fx.get("victim")));
      assertCorrupt(failure(fx.on(() -> fx.store.scan(ALL_PARTITIONS, all(), 100))));
      assertThat(text(await(fx.get("healthy")).value())).isEqualTo("fine");

      // A condition on an unreadable version cannot be checked, so it is refused as corrupt.
      assertCorrupt(failure(fx.put("victim", bytes("guess"), Precondition.ifVersion(2))));
      // Overwriting the key unconditionally repairs it, starting its versions again.
      assertThat(await(fx.put("victim", bytes("rewritten"), Precondition.NONE)).version())
          .isEqualTo(1);
      assertThat(text(await(fx.get("victim")).value())).isEqualTo("rewritten");
      assertThat(await(fx.on(() -> fx.store.scan(ALL_PARTITIONS, all(), 100))).items()).hasSize(2);
    }
  }

  @Test
  void storedBytesTooShortForAHeaderFailAsCorrupt() throws Exception {
    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      await(fx.put("short", "soon truncated"));
    }
    corruptAtRest("short", stored -> new byte[] {0, 0, 0, 0, 0, 0, 0, 1});

    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      assertCorrupt(failure(fx.get("short")));
      assertCorrupt(failure(fx.on(() -> fx.store.scan(ALL_PARTITIONS, all(), 10))));
    }
  }

  @Test
  void aCompressedValueWithADamagedPayloadFailsAsCorrupt() throws Exception {
    String big = "compressible ".repeat(200);
    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      await(fx.put("lz4", big));
    }
    corruptAtRest(
        "lz4",
        stored -> {
          assertThat(stored.length).as("stored compressed").isLessThan(big.length());
          stored[stored.length / 2] ^= 1;
          return stored;
        });

    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      assertCorrupt(failure(fx.get("lz4")));
    }
  }

  /**
   * Rewrites a key's stored bytes directly in the engine while no store is open, keeping the
   * applied position, so recovery has nothing to replay over the damage.
   */
  private void corruptAtRest(String key, UnaryOperator<byte[]> damage) {
    Key k = Key.of(key);
    int partition = PARTITIONER.partitionOf(k);
    try (StorageEngine storage = StoreFixture.openStorage(dir)) {
      byte[] stored = storage.get(partition, k.utf8());
      assertThat(stored).isNotNull();
      storage.apply(
          new WriteBatch(
              List.of(Mutation.put(partition, k.utf8(), damage.apply(stored))),
              storage.appliedPosition()));
    }
  }

  private static void assertCorrupt(KvException error) {
    assertThat(error.status()).isEqualTo(500);
    assertThat(error.code()).isEqualTo("corrupt");
  }

  private static ScanRange all() {
    return ScanRange.between(null, null);
  }
}
