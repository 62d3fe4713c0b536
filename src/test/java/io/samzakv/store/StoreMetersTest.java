package io.samzakv.store;

import static io.samzakv.store.StoreFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.samzakv.kv.Precondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The store's gauges tell an operator what the write path, LMDB and the op log are doing. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreMetersTest {
  private static final int VALUE_BYTES = 16 << 10;

  @RegisterExtension static final SharedVertx vertx = new SharedVertx();

  @TempDir Path dir;

  @Test
  void checkpointLagCountsTheWritesALaterCheckpointHasNotCoveredYet() throws Exception {
    // The default interval (a minute) leaves checkpoints to close() within this test.
    StoreFixture fx = StoreFixture.open(dir, vertx.get());
    try {
      assertThat(gauge(fx, "kv.checkpoint.lag")).isZero();
      for (int i = 0; i < 10; i++) {
        await(fx.put("lag/" + i, "v"));
      }
      await(fx.delete("lag/0", Precondition.NONE));
      assertThat(gauge(fx, "kv.checkpoint.lag")).isEqualTo(11);

      // A graceful stop checkpoints; the reopened store starts with nothing to catch up on.
      fx = fx.reopen();
      assertThat(gauge(fx, "kv.checkpoint.lag")).isZero();
      await(fx.put("lag/1", "w"));
      assertThat(gauge(fx, "kv.checkpoint.lag")).isEqualTo(1);
    } finally {
      fx.close();
    }
  }

  @Test
  void opLogGaugesMatchTheSegmentFilesAfterEachCheckpoint() throws Exception {
    StoreFixture fx =
        StoreFixture.open(
            dir,
            vertx.get(),
            StoreFixture.Settings.defaults().withCheckpointInterval(Duration.ofMillis(50)));
    try {
      writeIncompressible(fx, 200);

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(gauge(fx, "kv.checkpoint.lag")).isZero();
                List<Path> segments = segmentFiles();
                assertThat(gauge(fx, "kv.oplog.segments")).isEqualTo(segments.size());
                assertThat(gauge(fx, "kv.oplog")).isEqualTo(totalBytes(segments));
              });
      assertThat(gauge(fx, "kv.oplog")).isPositive();
    } finally {
      fx.close();
    }
  }

  @Test
  void lmdbGaugesShowTheMapGrowingUnderTheData() throws Exception {
    StoreFixture fx = StoreFixture.open(dir, vertx.get());
    try {
      double mapBefore = gauge(fx, "kv.lmdb.map");
      double usedBefore = gauge(fx, "kv.lmdb.used");

      // 3 MiB of values into a map that starts at 1 MiB.
      writeIncompressible(fx, 192);

      double used = gauge(fx, "kv.lmdb.used");
      assertThat(used).isGreaterThan(usedBefore + (3 << 20));
      assertThat(gauge(fx, "kv.lmdb.map")).isGreaterThan(mapBefore).isGreaterThanOrEqualTo(used);
    } finally {
      fx.close();
    }
  }

  @Test
  void anIdleWriteQueueIsEmptyAndHasRefusedNothing() throws Exception {
    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      await(fx.put("queue/1", "v"));

      assertThat(gauge(fx, "kv.write.queue.depth")).isZero();
      assertThat(fx.registry.get("kv.write.queue.rejections").functionCounter().count()).isZero();
    }
  }

  private static void writeIncompressible(StoreFixture fx, int values) throws Exception {
    Random random = new Random(7);
    for (int i = 0; i < values; i++) {
      byte[] value = new byte[VALUE_BYTES];
      random.nextBytes(value);
      await(fx.put("big/" + i, value, Precondition.NONE));
    }
  }

  private static double gauge(StoreFixture fx, String name) {
    return fx.registry.get(name).gauge().value();
  }

  private List<Path> segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("oplog"))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".log")).toList();
    }
  }

  private static long totalBytes(List<Path> files) throws IOException {
    long total = 0;
    for (Path file : files) {
      total += Files.size(file);
    }
    return total;
  }
}
