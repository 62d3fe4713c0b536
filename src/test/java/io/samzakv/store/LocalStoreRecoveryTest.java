package io.samzakv.store;

import static io.samzakv.store.StoreFixture.await;
import static io.samzakv.store.StoreFixture.bytes;
import static io.samzakv.store.StoreFixture.failure;
import static io.samzakv.store.StoreFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.codec.ValueCodec;
import io.samzakv.kv.Alarms;
import io.samzakv.kv.Key;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.VersionedValue;
import io.samzakv.oplog.LogOp;
import io.samzakv.oplog.OpLog;
import io.samzakv.routing.Partitioner;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.WriteBatch;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart and crash recovery (API.md §4): a reopened store serves every acknowledged write with its
 * version, replaying the op log past LMDB's applied position, and never applies a torn record.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalStoreRecoveryTest {
  private static final ValueCodec CODEC = new ValueCodec(true, LocalStore.LARGEST_VALUE_BYTES);
  private static final Partitioner PARTITIONER = new Partitioner(StoreFixture.PARTITIONS);
  @RegisterExtension static final SharedVertx vertx = new SharedVertx();

  @TempDir Path dir;

  @Test
  void gracefulRestartKeepsEveryKeyWithItsVersion() throws Exception {
    int keys = 300;
    StoreFixture fx = StoreFixture.open(dir, vertx.get());
    try {
      writeGeneration(fx, keys, 0);
      fx = fx.reopen();
      assertThat(fx.storage.appliedPosition()).isEqualTo(fx.log.lastPosition());
      assertGeneration(fx, keys, 0);

      // Versions and log positions carry on from where they were, across a second restart too.
      writeGeneration(fx, keys, 1);
      fx = fx.reopen();
      assertGeneration(fx, keys, 1);
      assertThat(fx.offContextCompletions).isEmpty();
    } finally {
      fx.close();
    }
  }

  /** Key i is written (i % 3) + 1 times per generation; every tenth key is then deleted. */
  private static void writeGeneration(StoreFixture fx, int keys, int generation) throws Exception {
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      String key = "key/" + i;
      for (int w = 0; w <= i % 3; w++) {
        writes.add(fx.put(key, value(i, generation, w)));
      }
    }
    for (CompletableFuture<?> write : writes) {
      await(write);
    }
    for (int i = 0; i < keys; i += 10) {
      await(fx.delete("key/" + i, Precondition.NONE));
    }
  }

  private static void assertGeneration(StoreFixture fx, int keys, int generation) throws Exception {
    for (int i = 0; i < keys; i++) {
      String key = "key/" + i;
      if (i % 10 == 0) {
        assertThat(failure(fx.get(key)).status()).as(key).isEqualTo(404);
        continue;
      }
      // A deleted key restarts at 1; the others keep counting across generations.
      long writesPerGeneration = i % 3 + 1;
      VersionedValue read = await(fx.get(key));
      assertThat(read.version()).as(key).isEqualTo(writesPerGeneration * (generation + 1));
      assertThat(text(read.value())).as(key).isEqualTo(value(i, generation, i % 3));
    }
  }

  private static String value(int key, int generation, int write) {
    return "value " + key + " generation " + generation + " write " + write;
  }

  @Test
  void recoveryReplaysFsyncedRecordsTheEngineNeverApplied() throws Exception {
    // The op log holds fsynced writes, LMDB none of them: a crash between fsync and apply.
    try (OpLog log = StoreFixture.openLog(dir, StoreFixture.Settings.defaults(), null);
        StorageEngine storage = StoreFixture.openStorage(dir)) {
      for (int i = 0; i < 100; i++) {
        appendPut(log, "crash/" + i, 1, "v1 of " + i);
      }
      appendPut(log, "crash/0", 2, "v2 of 0");
      appendDelete(log, "crash/1");
      log.commitNow();
      assertThat(storage.appliedPosition()).isZero();
    }

    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      assertThat(fx.storage.appliedPosition()).isEqualTo(102);
      VersionedValue zero = await(fx.get("crash/0"));
      assertThat(zero.version()).isEqualTo(2);
      assertThat(text(zero.value())).isEqualTo("v2 of 0");
      assertThat(failure(fx.get("crash/1")).status()).isEqualTo(404);
      for (int i = 2; i < 100; i++) {
        VersionedValue read = await(fx.get("crash/" + i));
        assertThat(read.version()).isEqualTo(1);
        assertThat(text(read.value())).isEqualTo("v1 of " + i);
      }
      // New writes build on the replayed versions and positions.
      assertThat(await(fx.put("crash/0", "v3 of 0")).version()).isEqualTo(3);
      assertThat(fx.log.lastPosition()).isEqualTo(103);
    }
  }

  @Test
  void recoveryReplaysOnlyRecordsPastTheAppliedPosition() throws Exception {
    try (OpLog log = StoreFixture.openLog(dir, StoreFixture.Settings.defaults(), null);
        StorageEngine storage = StoreFixture.openStorage(dir)) {
      List<Mutation> applied = new ArrayList<>();
      for (int i = 1; i <= 50; i++) {
        byte[] stored = CODEC.encode(1, bytes("v" + i));
        long position = log.append(partition("p/" + i), 1, 0, LogOp.PUT, key("p/" + i), stored);
        applied.add(Mutation.put(partition("p/" + i), key("p/" + i), stored));
        assertThat(position).isEqualTo(i);
      }
      appendPut(log, "p/1", 2, "v1 again");
      for (int i = 51; i <= 60; i++) {
        appendPut(log, "p/" + i, 1, "v" + i);
      }
      log.commitNow();
      // The engine took the first 50 records before the crash, the rest only reached the log.
      storage.apply(new WriteBatch(applied, 50));

      PartitionHealth health = new PartitionHealth(new Alarms(), storage.location());
      assertThat(Recovery.replay(log, storage, health)).isEqualTo(11);
      assertThat(storage.appliedPosition()).isEqualTo(61);
      assertThat(CODEC.decode(storage.get(partition("p/1"), key("p/1"))).version()).isEqualTo(2);
      // Replay is idempotent: a second run finds nothing left to do.
      assertThat(Recovery.replay(log, storage, health)).isZero();
    }

    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      assertThat(text(await(fx.get("p/1")).value())).isEqualTo("v1 again");
      assertThat(text(await(fx.get("p/60")).value())).isEqualTo("v60");
      assertThat(text(await(fx.get("p/30")).value())).isEqualTo("v30");
    }
  }

  @Test
  void recoveryDropsATornTailRecordAndKeepsEverythingBefore() throws Exception {
    try (OpLog log = StoreFixture.openLog(dir, StoreFixture.Settings.defaults(), null);
        StorageEngine storage = StoreFixture.openStorage(dir)) {
      appendPut(log, "t/kept", 1, "kept");
      log.commitNow();
    }
    // A closed segment is exactly as long as its records.
    long sizeBeforeTornRecord = Files.size(onlySegment());
    try (OpLog log = StoreFixture.openLog(dir, StoreFixture.Settings.defaults(), null)) {
      appendPut(log, "t/torn", 1, "x".repeat(200));
      log.commitNow();
    }
    // A crash mid-write: only half of the last frame reached the disk.
    Path segment = onlySegment();
    long fullSize = Files.size(segment);
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.setLength(sizeBeforeTornRecord + (fullSize - sizeBeforeTornRecord) / 2);
    }

    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      assertThat(fx.log.recoveryReport().tornTail()).isTrue();
      assertThat(text(await(fx.get("t/kept")).value())).isEqualTo("kept");
      assertThat(failure(fx.get("t/torn")).status()).isEqualTo(404);
      // The torn record's position is reused by the next write, which then survives a restart.
      assertThat(fx.log.lastPosition()).isEqualTo(1);
      await(fx.put("t/after", "after"));
      StoreFixture reopened = fx.reopen();
      try (reopened) {
        assertThat(text(await(reopened.get("t/after")).value())).isEqualTo("after");
        assertThat(failure(reopened.get("t/torn")).status()).isEqualTo(404);
      }
    }
  }

  @Test
  void writesAcknowledgedBeforeLmdbLostItsUnsyncedPagesSurviveFromTheLog() throws Exception {
    // LMDB runs with MDB_NOSYNC: until a checkpoint, its commits may vanish in a power cut while
    // the fsynced op log keeps them. Simulate that by moving the live op log next to an empty
    // LMDB (the checkpoint interval is long, so no segment has been dropped).
    Path survivor = dir.resolve("after-power-cut");
    try (StoreFixture fx = StoreFixture.open(dir.resolve("before"), vertx.get())) {
      for (int i = 0; i < 50; i++) {
        await(fx.put("ack/" + i, "v" + i));
      }
      await(fx.put("ack/7", "v7 again"));
      await(fx.delete("ack/8", Precondition.NONE));
      copyDirectory(dir.resolve("before").resolve("oplog"), survivor.resolve("oplog"));
    }

    try (StoreFixture fx = StoreFixture.open(survivor, vertx.get())) {
      for (int i = 0; i < 50; i++) {
        if (i == 8) {
          assertThat(failure(fx.get("ack/8")).status()).isEqualTo(404);
          continue;
        }
        VersionedValue read = await(fx.get("ack/" + i));
        assertThat(read.version()).isEqualTo(i == 7 ? 2 : 1);
        assertThat(text(read.value())).isEqualTo(i == 7 ? "v7 again" : "v" + i);
      }
    }
  }

  @Test
  void engineAheadOfTheLogAfterACutTailGetsNewWritesNumberedAfterIt() throws Exception {
    // Seen with a lagging fsync: the log's torn tail is cut at 10 while LMDB has applied 12.
    try (OpLog log = StoreFixture.openLog(dir, StoreFixture.Settings.defaults(), null);
        StorageEngine storage = StoreFixture.openStorage(dir)) {
      List<Mutation> applied = new ArrayList<>();
      for (int i = 1; i <= 12; i++) {
        byte[] stored = CODEC.encode(1, bytes("v" + i));
        if (i <= 10) {
          assertThat(log.append(partition("a/" + i), 1, 0, LogOp.PUT, key("a/" + i), stored))
              .isEqualTo(i);
        }
        applied.add(Mutation.put(partition("a/" + i), key("a/" + i), stored));
      }
      log.commitNow();
      storage.apply(new WriteBatch(applied, 12));
    }

    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      assertThat(fx.log.lastPosition()).isEqualTo(12);
      await(fx.put("a/13", "v13"));
      await(fx.put("a/1", "v1 again"));
      assertThat(fx.log.lastPosition()).as("A+1 and on, never a position LMDB has").isEqualTo(14);
      assertThat(fx.storage.appliedPosition()).isEqualTo(14);
    }
    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      assertThat(fx.storage.appliedPosition()).isEqualTo(14);
      assertThat(text(await(fx.get("a/1")).value())).isEqualTo("v1 again");
      assertThat(await(fx.get("a/1")).version()).isEqualTo(2);
      assertThat(text(await(fx.get("a/12")).value())).isEqualTo("v12");
      assertThat(text(await(fx.get("a/13")).value())).isEqualTo("v13");
      await(fx.put("a/14", "v14"));
      assertThat(fx.log.lastPosition()).isEqualTo(15);
    }
  }

  private Path onlySegment() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("oplog"))) {
      List<Path> segments = files.filter(file -> file.toString().endsWith(".log")).toList();
      assertThat(segments).hasSize(1);
      return segments.get(0);
    }
  }

  private static void copyDirectory(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()));
      }
    }
  }

  private static long appendPut(OpLog log, String key, long version, String value)
      throws IOException {
    return log.append(
        partition(key), 1, 0, LogOp.PUT, key(key), CODEC.encode(version, bytes(value)));
  }

  private static long appendDelete(OpLog log, String key) throws IOException {
    return log.append(partition(key), 1, 0, LogOp.DELETE, key(key), null);
  }

  private static int partition(String key) {
    return PARTITIONER.partitionOf(Key.of(key));
  }

  private static byte[] key(String key) {
    return Key.of(key).utf8();
  }
}
