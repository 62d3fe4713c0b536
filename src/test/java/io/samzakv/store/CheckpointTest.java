package io.samzakv.store;

import static io.samzakv.store.StoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.samzakv.kv.Key;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.VersionedValue;
import io.samzakv.kv.WriteResult;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints drop covered op-log segments, so endless overwrites keep the log bounded. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CheckpointTest {
  private static final int KEYS = 4;
  private static final int VALUE_BYTES = 16 << 10;
  private static final long TOTAL_BYTES = 20L << 20;
  private static final int WAVE = 32;

  @RegisterExtension static final SharedVertx vertx = new SharedVertx();

  @TempDir Path dir;

  @Test
  void overwritingAFewKeysKeepsTheOpLogBoundedAcrossCheckpoints() throws Exception {
    StoreFixture.Settings settings =
        StoreFixture.Settings.defaults().withCheckpointInterval(Duration.ofMillis(50));
    Random random = new Random(42);
    byte[][] last = new byte[KEYS][];
    StoreFixture fx = StoreFixture.open(dir, vertx.get(), settings);
    try {
      long written = 0;
      while (written < TOTAL_BYTES) {
        // Incompressible values, so LZ4 cannot shrink the log below what we count.
        byte[][] wave = new byte[WAVE][];
        for (int i = 0; i < WAVE; i++) {
          wave[i] = new byte[VALUE_BYTES];
          random.nextBytes(wave[i]);
          last[i % KEYS] = wave[i];
        }
        await(fx.on(() -> putWave(fx, wave)));
        written += (long) WAVE * VALUE_BYTES;
      }

      // 20 MiB went through 1 MiB segments: about 20 rolls, and checkpoints drop all but one.
      assertThat(fx.log.lastPosition()).isEqualTo(TOTAL_BYTES / VALUE_BYTES);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(segmentFiles()).hasSize(1));
      assertThat(firstPositionOf(segmentFiles().get(0))).isGreaterThan(1000);
      assertThat(bytesUnder(dir.resolve("oplog"))).isLessThan(2L << 20);
      // LMDB reuses the pages of overwritten values: it holds the live data, not the history.
      assertThat(Files.size(dir.resolve("lmdb").resolve("data.mdb"))).isLessThan(8L << 20);

      // Dropping segments lost nothing: a restart serves the last value of every key.
      StoreFixture reopened = fx.reopen();
      try (reopened) {
        for (int k = 0; k < KEYS; k++) {
          VersionedValue read = await(reopened.get("hot/" + k));
          assertThat(read.value()).isEqualTo(last[k]);
          assertThat(read.version()).isEqualTo(TOTAL_BYTES / VALUE_BYTES / KEYS);
        }
      }
    } finally {
      fx.close();
    }
  }

  @Test
  void gracefulCloseCheckpointsSoTheReopenedStoreReplaysNothing() throws Exception {
    StoreFixture fx = StoreFixture.open(dir, vertx.get(), StoreFixture.Settings.defaults());
    try {
      byte[] value = new byte[VALUE_BYTES];
      new Random(1).nextBytes(value);
      for (int i = 0; i < 200; i++) {
        await(fx.put("hot/" + (i % KEYS), value, Precondition.NONE));
      }
      assertThat(fx.log.segmentCount()).isGreaterThan(1);
      fx = fx.reopen();
      assertThat(fx.storage.appliedPosition()).isEqualTo(200);
      assertThat(segmentFiles()).hasSize(1);
      assertThat(await(fx.get("hot/0")).version()).isEqualTo(200 / KEYS);
    } finally {
      fx.close();
    }
  }

  private static Future<Void> putWave(StoreFixture fx, byte[][] wave) {
    List<Future<WriteResult>> puts = new ArrayList<>();
    for (int i = 0; i < wave.length; i++) {
      Key key = Key.of("hot/" + (i % KEYS));
      puts.add(fx.store.put(fx.partition(key), key, wave[i], Precondition.NONE));
    }
    return Future.all(puts).mapEmpty();
  }

  private List<Path> segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("oplog"))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
    }
  }

  private static long firstPositionOf(Path segment) {
    String name = segment.getFileName().toString();
    return Long.parseLong(name.substring(0, name.length() - ".log".length()));
  }

  private static long bytesUnder(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      long total = 0;
      for (Path file : files.toList()) {
        total += Files.size(file);
      }
      return total;
    }
  }
}
