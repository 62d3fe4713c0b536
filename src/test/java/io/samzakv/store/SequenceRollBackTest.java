package io.samzakv.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.samzakv.codec.ValueCodec;
import io.samzakv.disk.NoSpaceException;
import io.samzakv.kv.Alarms;
import io.samzakv.kv.Key;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.WriteResult;
import io.samzakv.oplog.LogOp;
import io.samzakv.oplog.LogRecord;
import io.samzakv.oplog.OpLog;
import io.samzakv.storage.PartitionHistory;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.WriteBatch;
import io.samzakv.storage.lmdb.LmdbStorageEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch refused before it is logged (507) gives its sequences back: a hole in a partition's
 * sequence would make every replica refuse the records after it.
 */
class SequenceRollBackTest {
  private static final long WAIT_SECONDS = 10;
  private static final ValueCodec CODEC = new ValueCodec(true, LocalStore.LARGEST_VALUE_BYTES);

  @TempDir Path dir;

  private final Alarms alarms = new Alarms();
  private final List<LogRecord> shipped = new CopyOnWriteArrayList<>();
  private volatile boolean replica;
  private LmdbStorageEngine lmdb;
  private FullDisk storage;
  private OpLog log;
  private WritePipeline pipeline;

  @BeforeEach
  void open() throws IOException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    lmdb = StoreFixture.openStorage(dir);
    storage = new FullDisk(lmdb);
    log = StoreFixture.openLog(dir, StoreFixture.Settings.defaults(), registry);
    pipeline =
        new WritePipeline(
            log,
            storage,
            new ValueCache(1 << 20, registry),
            CODEC,
            new WritePathState(alarms),
            new PartitionHealth(alarms, lmdb.location()),
            1 << 20);
    pipeline.replicate(
        new PartitionRoles() {
          @Override
          public long servingEpoch(int partition) {
            return replica ? -1 : 2;
          }

          @Override
          public boolean acceptsRecords(int partition, long epoch) {
            return replica;
          }
        },
        records -> {
          shipped.addAll(records);
          return CompletableFuture.completedFuture(Set.of());
        });
  }

  @AfterEach
  void close() throws IOException {
    pipeline.close();
    log.close();
    lmdb.close();
  }

  @Test
  void aWriteAfterARefusedOneTakesTheSequenceTheRefusedOneWasGiven() throws Exception {
    put("a").get(WAIT_SECONDS, TimeUnit.SECONDS);
    storage.full = true;
    assertThat(StoreFixture.failure(put("b")).status()).isEqualTo(507);
    storage.full = false;

    put("c").get(WAIT_SECONDS, TimeUnit.SECONDS);

    assertThat(shipped).extracting(LogRecord::sequence).containsExactly(1L, 2L);
    assertThat(lmdb.history(0)).isEqualTo(PartitionHistory.EMPTY.advance(2, 1).advance(2, 2));
  }

  @Test
  void recordsRefusedForSpaceAreTakenWhenThePrimarySendsThemAgain() throws Exception {
    replica = true;
    take(record(1, "a"), record(2, "b")).get(WAIT_SECONDS, TimeUnit.SECONDS);
    storage.full = true;
    assertThat(StoreFixture.failure(take(record(3, "c"))).status()).isEqualTo(507);
    storage.full = false;

    take(record(3, "c"), record(4, "d")).get(WAIT_SECONDS, TimeUnit.SECONDS);
    pipeline.appliedSoFar().get(WAIT_SECONDS, TimeUnit.SECONDS);

    assertThat(lmdb.history(0).sequence()).isEqualTo(4);
    assertThat(lmdb.get(0, bytes("c"))).isNotNull();
  }

  private CompletableFuture<WriteResult> put(String key) {
    WriteCommand command =
        new WriteCommand(0, Key.of(key), bytes(key), Precondition.NONE, new CompletableFuture<>());
    pipeline.submit(command);
    return command.result();
  }

  private CompletableFuture<Void> take(LogRecord... records) {
    RecordsCommand command =
        new RecordsCommand(Map.of(0, 1L), List.of(records), new CompletableFuture<>());
    pipeline.submit(command);
    return command.result();
  }

  private static LogRecord record(long sequence, String key) {
    return new LogRecord(0, 0, 1, sequence, LogOp.PUT, bytes(key), CODEC.encode(1, bytes(key)));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The real engine, whose disk the test can fill: reservations fail with no space. */
  private static final class FullDisk extends ForwardingStorageEngine {
    volatile boolean full;

    FullDisk(StorageEngine engine) {
      super(engine);
    }

    @Override
    public void reserve(WriteBatch batch) {
      if (full) {
        throw new NoSpaceException("test disk is full", new IOException("ENOSPC"));
      }
      super.reserve(batch);
    }
  }
}
