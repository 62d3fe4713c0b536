package io.samzakv.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.samzakv.codec.ValueCodec;
import io.samzakv.disk.NoSpaceException;
import io.samzakv.kv.Alarms;
import io.samzakv.kv.Alarms.Alarm;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.WriteResult;
import io.samzakv.oplog.OpLog;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.WriteBatch;
import io.samzakv.storage.lmdb.LmdbStorageEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure stops no more writes than it must: one command's own failure fails that command, a disk
 * without room refuses a batch with 507 and nothing of it is logged, and only a failure after
 * logging stops writes, raising the alarm; whatever is thrown, every write gets an answer.
 */
class WritePipelineIsolationTest {
  private static final long WAIT_SECONDS = 10;

  @TempDir Path dir;

  private final Alarms alarms = new Alarms();
  private LmdbStorageEngine lmdb;
  private FaultyStorage storage;
  private OpLog log;
  private WritePipeline pipeline;

  @BeforeEach
  void open() throws IOException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    lmdb = StoreFixture.openStorage(dir);
    storage = new FaultyStorage(lmdb);
    log = StoreFixture.openLog(dir, StoreFixture.Settings.defaults(), registry);
    pipeline =
        new WritePipeline(
            log,
            storage,
            new ValueCache(1 << 20, registry),
            new ValueCodec(true, LocalStore.LARGEST_VALUE_BYTES),
            new WritePathState(alarms),
            new PartitionHealth(alarms, lmdb.location()),
            1 << 20);
  }

  @AfterEach
  void close() throws IOException {
    pipeline.close();
    log.close();
    lmdb.close();
  }

  @Test
  void aCommandThatFailsBeforeItIsLoggedFailsAloneAndTheNextWriteSucceeds() throws Exception {
    storage.failReadsOf = "poison";

    CompletableFuture<WriteResult> before = put("a");
    CompletableFuture<WriteResult> poisoned = put("poison");
    CompletableFuture<WriteResult> after = put("b");

    assertThat(StoreFixture.failure(poisoned).status()).isEqualTo(500);
    assertThat(before.get(WAIT_SECONDS, TimeUnit.SECONDS).version()).isEqualTo(1);
    assertThat(after.get(WAIT_SECONDS, TimeUnit.SECONDS).version()).isEqualTo(1);
    assertThat(put("c").get(WAIT_SECONDS, TimeUnit.SECONDS).version()).isEqualTo(1);
    assertThat(log.lastPosition()).as("only the good writes are logged").isEqualTo(3);
    assertThat(alarms.active()).isEmpty();
  }

  @Test
  void aBatchTheDiskHasNoRoomForIsRefused507AndNothingOfItIsLogged() throws Exception {
    put("first").get(WAIT_SECONDS, TimeUnit.SECONDS);
    storage.noRoom = true;

    KvException refused = StoreFixture.failure(put("refused"));

    assertThat(refused.status()).isEqualTo(507);
    assertThat(refused.code()).isEqualTo("no_space");
    assertThat(log.lastPosition()).isEqualTo(1);
    assertThat(alarms.isRaised(Alarm.NO_SPACE)).isTrue();
    assertThat(alarms.up()).as("reads still work: not down").isTrue();
    assertThat(pipeline.rejectedNoSpace()).isEqualTo(1);

    storage.noRoom = false;
    assertThat(put("later").get(WAIT_SECONDS, TimeUnit.SECONDS).version()).isEqualTo(1);
    assertThat(alarms.isRaised(Alarm.NO_SPACE)).as("cleared once writes get room").isFalse();
    assertThat(log.lastPosition()).isEqualTo(2);
    assertThat(lmdb.get(0, bytes("refused"))).isNull();
  }

  @Test
  void aLoggedBatchTheEngineFindsNoRoomForIsAppliedOnceRoomIsFound() throws Exception {
    // The reservation passed but the apply still found no room: the batch is in the op log, so it
    // must be applied, not refused; the writes behind it are refused meanwhile.
    storage.failApply = new NoSpaceException("map cannot grow", new IOException("ENOSPC"));
    CompletableFuture<WriteResult> stalled = put("stalled");
    await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> alarms.isRaised(Alarm.NO_SPACE));

    assertThat(StoreFixture.failure(put("refused")).status()).isEqualTo(507);
    assertThat(stalled).isNotDone();

    storage.failApply = null;
    assertThat(stalled.get(WAIT_SECONDS, TimeUnit.SECONDS).version()).isEqualTo(1);
    assertThat(alarms.isRaised(Alarm.NO_SPACE)).isFalse();
    assertThat(put("after").get(WAIT_SECONDS, TimeUnit.SECONDS).version()).isEqualTo(1);
    assertThat(lmdb.get(0, bytes("refused"))).isNull();
  }

  @Test
  void aFailureAfterLoggingStopsWritesAndRaisesTheAlarm() throws Exception {
    storage.failApply = new IllegalStateException("engine broke");

    assertThat(StoreFixture.failure(put("x")).status()).isEqualTo(503);
    storage.failApply = null;

    assertThat(StoreFixture.failure(put("y")).status()).isEqualTo(503);
    assertThat(alarms.isRaised(Alarm.WRITE_PATH_FAILED)).isTrue();
    assertThat(alarms.up()).isFalse();
  }

  @Test
  void anErrorInTheEngineDoesNotKillTheSequencer() throws Exception {
    // What a SIGBUS-turned-InternalError in an unsafe access looked like: it killed the thread and
    // every later write waited forever.
    storage.failApply = new InternalError("a fault occurred in an unsafe memory access");

    assertThat(StoreFixture.failure(put("x")).status()).isEqualTo(503);
    assertThat(StoreFixture.failure(put("y")).status())
        .as("answered, not left waiting")
        .isEqualTo(503);
  }

  private CompletableFuture<WriteResult> put(String key) {
    WriteCommand command =
        new WriteCommand(
            0, Key.of(key), bytes("value of " + key), Precondition.NONE, new CompletableFuture<>());
    pipeline.submit(command);
    return command.result();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The real engine, with the faults a test switches on. */
  private static final class FaultyStorage extends ForwardingStorageEngine {
    volatile String failReadsOf;
    volatile boolean noRoom;
    volatile Throwable failApply;

    FaultyStorage(StorageEngine engine) {
      super(engine);
    }

    @Override
    public byte[] get(int partition, byte[] key) {
      if (Arrays.equals(key, failReadsOf == null ? null : bytes(failReadsOf))) {
        throw new IllegalStateException("cannot read " + failReadsOf);
      }
      return super.get(partition, key);
    }

    @Override
    public void reserve(WriteBatch batch) {
      if (noRoom) {
        throw new NoSpaceException("test disk is full", new IOException("ENOSPC"));
      }
      super.reserve(batch);
    }

    @Override
    public void apply(WriteBatch batch) {
      Throwable failure = failApply;
      if (failure instanceof RuntimeException e) {
        throw e;
      }
      if (failure instanceof Error e) {
        throw e;
      }
      super.apply(batch);
    }
  }
}
