package io.samzakv.store;

import static io.samzakv.store.StoreFixture.await;
import static io.samzakv.store.StoreFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.kv.Precondition;
import io.samzakv.storage.PartitionHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records replayed from the op log into LMDB keep their leader epoch and sequence: a store rebuilt
 * from its log stands exactly where it stood in every partition's history.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StampedRecoveryTest {
  @RegisterExtension static final SharedVertx vertx = new SharedVertx();

  @TempDir Path dir;

  @Test
  void aStoreReplayedFromItsLogHasTheHistoryItHadBefore() throws Exception {
    PartitionHistory[] before = new PartitionHistory[StoreFixture.PARTITIONS];
    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      EpochRoles roles = new EpochRoles();
      fx.store.replicate(roles, Replication.NONE);
      for (int round = 1; round <= 3; round++) {
        roles.epoch = round * 10L;
        CompletableFuture<?>[] writes = new CompletableFuture<?>[40];
        for (int i = 0; i < writes.length; i++) {
          writes[i] = fx.put("key-" + i, "round " + round);
        }
        await(CompletableFuture.allOf(writes));
      }
      await(fx.delete("key-0", Precondition.NONE));
      for (int p = 0; p < before.length; p++) {
        before[p] = fx.store.history(p);
        assertThat(before[p].epochs()).as("partition %d", p).hasSize(3);
      }
    }
    // Without LMDB the restarted store has only the op log to go by.
    try (Stream<Path> files = Files.walk(dir.resolve("lmdb"))) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }

    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      for (int p = 0; p < before.length; p++) {
        assertThat(fx.store.history(p)).as("partition %d", p).isEqualTo(before[p]);
      }
      assertThat(text(await(fx.get("key-7")).value())).isEqualTo("round 3");
      assertThat(await(fx.get("key-7")).version()).isEqualTo(3);
    }
  }

  /** Primary of every partition under one epoch the test moves. */
  private static final class EpochRoles implements PartitionRoles {
    volatile long epoch;

    @Override
    public long servingEpoch(int partition) {
      return epoch;
    }

    @Override
    public boolean acceptsRecords(int partition, long epoch) {
      return false;
    }
  }
}
