package io.samzakv.store;

import static io.samzakv.store.StoreFixture.await;
import static io.samzakv.store.StoreFixture.bytes;
import static io.samzakv.store.StoreFixture.failure;
import static io.samzakv.store.StoreFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.codec.ValueCodec;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.ScanRange;
import io.samzakv.kv.VersionedValue;
import io.samzakv.kv.WriteResult;
import io.samzakv.oplog.LogOp;
import io.samzakv.oplog.LogRecord;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.PartitionHistory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write path of a replicated store, with the cluster replaced by roles and a replication the
 * test drives: writes are fenced by the serving epoch and stamped with it and the partition's next
 * sequence, acknowledged (and readable) only once replicated, and a primary's records are taken
 * whole or not at all.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplicatedWritePathTest {
  private static final ValueCodec CODEC = new ValueCodec(true, LocalStore.LARGEST_VALUE_BYTES);
  private static final long EPOCH = 5;

  @RegisterExtension static final SharedVertx vertx = new SharedVertx();

  @TempDir Path dir;

  private final Roles roles = new Roles();
  private final ManualReplication replication = new ManualReplication();
  private StoreFixture fx;

  @BeforeEach
  void open() throws Exception {
    fx = StoreFixture.open(dir, vertx.get());
    fx.store.replicate(roles, replication);
  }

  @AfterEach
  void close() throws Exception {
    replication.completeAll();
    fx.close();
  }

  @Test
  void writesAreStampedWithTheServingEpochAndTheirPartitionsNextSequence() throws Exception {
    List<String> keys = keysIn(0, 3);
    String other = keysIn(1, 1).get(0);
    roles.serve(0, EPOCH);
    roles.serve(1, EPOCH + 2);

    for (String key : keys) {
      await(fx.put(key, "v"));
    }
    await(fx.put(other, "w"));
    await(fx.delete(keys.get(0), Precondition.NONE));

    List<LogRecord> shipped = replication.shippedRecords();
    assertThat(shipped)
        .filteredOn(r -> r.partition() == 0)
        .extracting(LogRecord::epoch, LogRecord::sequence)
        .containsExactly(tuple(EPOCH, 1L), tuple(EPOCH, 2L), tuple(EPOCH, 3L), tuple(EPOCH, 4L));
    assertThat(shipped)
        .filteredOn(r -> r.partition() == 1)
        .extracting(LogRecord::epoch, LogRecord::sequence)
        .containsExactly(tuple(EPOCH + 2, 1L));
    assertThat(shipped.get(shipped.size() - 1).op()).isEqualTo(LogOp.DELETE);
    assertThat(fx.store.history(0))
        .isEqualTo(PartitionHistory.EMPTY.advance(EPOCH, 1).advance(EPOCH, 4));
    assertThat(fx.store.history(1)).isEqualTo(PartitionHistory.EMPTY.advance(EPOCH + 2, 1));
    assertThat(fx.store.recentRecords().since(0, 2))
        .extracting(LogRecord::sequence)
        .containsExactly(3L, 4L);
  }

  @Test
  void aPartitionNotServedRefusesWritesAndReads() throws Exception {
    String key = keysIn(2, 1).get(0);
    roles.serve(2, EPOCH);
    await(fx.put(key, "v"));
    roles.stopServing(2);

    assertNotPrimary(failure(fx.put(key, "w")));
    assertNotPrimary(failure(fx.delete(key, Precondition.NONE)));
    assertNotPrimary(failure(fx.get(key)));
    assertNotPrimary(
        failure(
            fx.on(() -> fx.store.scan(new int[] {1, 2}, new ScanRange(new byte[0], null), 10))));
    assertThat(replication.shippedRecords()).hasSize(1);

    roles.serve(2, EPOCH);
    assertThat(text(await(fx.get(key)).value())).isEqualTo("v");
  }

  @Test
  void aWriteIsAcknowledgedAndReadableOnlyOnceReplicated() throws Exception {
    String key = keysIn(3, 1).get(0);
    roles.serve(3, EPOCH);
    await(fx.put(key, "old"));
    replication.manual = true;

    CompletableFuture<WriteResult> write = fx.put(key, "new");
    Shipment shipment = replication.next();

    assertThat(shipment.records()).extracting(LogRecord::sequence).containsExactly(2L);
    assertThat(write).isNotDone();
    assertValue(key, 1, "old");
    assertThat(fx.store.history(3).sequence()).as("not applied yet").isEqualTo(1);

    shipment.replicated().complete(Set.of());
    assertThat(await(write).version()).isEqualTo(2);
    assertValue(key, 2, "new");
  }

  @Test
  void aConditionalWriteBuildsOnAWriteStillWaitingForItsReplicas() throws Exception {
    String key = keysIn(4, 1).get(0);
    roles.serve(4, EPOCH);
    await(fx.put(key, "v1"));
    replication.manual = true;

    CompletableFuture<WriteResult> second = fx.put(key, "v2");
    Shipment first = replication.next();
    CompletableFuture<WriteResult> onOld = fx.put(key, bytes("stale"), Precondition.ifVersion(1));
    CompletableFuture<WriteResult> onPending = fx.put(key, bytes("v3"), Precondition.ifVersion(2));
    Shipment next = replication.next();

    assertThat(next.records()).extracting(LogRecord::sequence).containsExactly(3L);
    first.replicated().complete(Set.of());
    next.replicated().complete(Set.of());
    assertThat(await(second).version()).isEqualTo(2);
    KvException refused = failure(onOld);
    assertThat(refused.status()).isEqualTo(412);
    assertThat(refused.currentVersion()).isEqualTo(2L);
    assertThat(await(onPending).version()).isEqualTo(3);
    assertValue(key, 3, "v3");
  }

  @Test
  void writesOfAPartitionLostWhileReplicatingAreNeitherAppliedNorAcknowledged() throws Exception {
    List<String> keys = keysIn(5, 2);
    String neighbour = keysIn(6, 1).get(0);
    roles.serve(5, EPOCH);
    roles.serve(6, EPOCH);
    await(fx.put(keys.get(0), "kept"));
    replication.manual = true;

    CompletableFuture<WriteResult> lost = fx.put(keys.get(0), "lost");
    Shipment shipment = replication.next();
    CompletableFuture<WriteResult> lostToo = fx.put(keys.get(1), "lost");
    CompletableFuture<WriteResult> applied = fx.put(neighbour, "applied");
    shipment.replicated().complete(Set.of(5));
    replication.completeShipped(3, Set.of(5));

    assertNotPrimary(failure(lost));
    assertNotPrimary(failure(lostToo));
    assertThat(await(applied).version()).isEqualTo(1);
    assertValue(keys.get(0), 1, "kept");
    assertThat(failure(fx.get(keys.get(1))).status()).isEqualTo(404);
    assertThat(fx.store.history(5)).isEqualTo(PartitionHistory.EMPTY.advance(EPOCH, 1));

    // Still (or again) primary: the next write continues the applied history, building on it.
    replication.manual = false;
    assertThat(await(fx.put(keys.get(0), "next")).version()).isEqualTo(2);
    List<LogRecord> shipped = replication.shippedRecords();
    assertThat(shipped.get(shipped.size() - 1).sequence()).isEqualTo(2);
    assertThat(fx.store.recentRecords().since(5, 0))
        .as("a replica catching up gets the new record 2, not the lost one")
        .extracting(r -> text(CODEC.decode(r.value()).value()), LogRecord::sequence)
        .containsExactly(tuple("kept", 1L), tuple("next", 2L));
    PartitionHistory before = fx.store.history(5);
    assertThat(before).isEqualTo(PartitionHistory.EMPTY.advance(EPOCH, 1).advance(EPOCH, 2));

    fx = fx.reopen();
    assertThat(fx.store.history(5)).isEqualTo(before);
    assertValue(keys.get(0), 2, "next");
    assertThat(failure(fx.get(keys.get(1))).status()).isEqualTo(404);
  }

  @Test
  void aWriteSequencedOnALostOneIsLostWithIt() throws Exception {
    // Batch 2 builds on batch 1 (sequence 2, version 2) while batch 1 travels; batch 1 is lost but
    // batch 2's replicas all answered. Applying batch 2 would leave this copy claiming sequence 3
    // without record 2, which a replica that took record 2 holds.
    List<String> keys = keysIn(3, 2);
    roles.serve(3, EPOCH);
    await(fx.put(keys.get(0), "v1"));
    replication.manual = true;

    CompletableFuture<WriteResult> lost = fx.put(keys.get(0), "v2");
    Shipment first = replication.next();
    CompletableFuture<WriteResult> built =
        fx.put(keys.get(0), bytes("v3"), Precondition.ifVersion(2));
    CompletableFuture<WriteResult> beside = fx.put(keys.get(1), "other");
    replication.awaitShipped(4);
    first.replicated().complete(Set.of(3));
    replication.completeShipped(4, Set.of());

    assertNotPrimary(failure(lost));
    assertNotPrimary(failure(built));
    assertNotPrimary(failure(beside));
    assertThat(fx.store.history(3)).isEqualTo(PartitionHistory.EMPTY.advance(EPOCH, 1));
    assertValue(keys.get(0), 1, "v1");

    replication.manual = false;
    assertThat(await(fx.put(keys.get(0), "v4")).version()).isEqualTo(2);
    assertThat(fx.store.history(3))
        .isEqualTo(PartitionHistory.EMPTY.advance(EPOCH, 1).advance(EPOCH, 2));
    assertThat(await(fx.put(keys.get(1), "next")).version()).isEqualTo(1);
    assertThat(fx.store.history(3).sequence()).isEqualTo(3);
  }

  @Test
  void aPrimarysRecordsAreTakenWholeOrRefusedWhole() throws Exception {
    List<String> keys = keysIn(7, 4);
    roles.acceptFrom(7, 3);

    await(take(record(7, 3, 1, keys.get(0), 1, "a"), record(7, 3, 2, keys.get(1), 1, "b")));
    await(fx.on(fx.store::appliedSoFar));
    assertThat(fx.store.history(7).sequence()).isEqualTo(2);

    KvException gap =
        failure(take(record(7, 3, 3, keys.get(2), 1, "c"), record(7, 3, 5, keys.get(3), 1, "d")));
    assertThat(gap.status()).isEqualTo(409);
    assertThat(gap.code()).isEqualTo("sequence_gap");
    KvException stale = failure(take(record(7, 2, 3, keys.get(2), 1, "c")));
    assertThat(stale.code()).isEqualTo("stale_epoch");

    // A primary resending what this copy holds: the duplicates are skipped, the rest taken.
    await(
        take(
            record(7, 3, 2, keys.get(1), 1, "b"),
            record(7, 3, 3, keys.get(2), 1, "c"),
            delete(7, 4, 4, keys.get(0))));
    await(take(record(7, 3, 3, keys.get(2), 1, "c")));
    await(fx.on(fx.store::appliedSoFar));

    assertThat(fx.store.history(7))
        .isEqualTo(PartitionHistory.EMPTY.advance(3, 1).advance(3, 3).advance(4, 4));
    assertThat(fx.storage.get(7, bytes(keys.get(3)))).as("nothing of the refused command").isNull();
    assertThat(fx.store.recentRecords().since(7, 2))
        .extracting(LogRecord::sequence)
        .containsExactly(3L, 4L);

    // Promoted: it serves what it took, and its own writes continue the sequence.
    roles.serve(7, 6);
    assertThat(failure(fx.get(keys.get(0))).status()).isEqualTo(404);
    assertValue(keys.get(1), 1, "b");
    assertValue(keys.get(2), 1, "c");
    assertThat(await(fx.put(keys.get(2), "mine")).version()).isEqualTo(2);
    assertThat(fx.store.history(7))
        .isEqualTo(PartitionHistory.EMPTY.advance(3, 1).advance(4, 4).advance(6, 5));
  }

  @Test
  void aTailWrittenUnderOlderEpochsIsFencedByTheEpochItsPrimarySendsItUnder() throws Exception {
    List<String> keys = keysIn(6, 3);
    roles.acceptFrom(6, 3);

    await(takeUnder(3, record(6, 1, 1, keys.get(0), 1, "a"), record(6, 2, 2, keys.get(1), 1, "b")));
    KvException stale = failure(takeUnder(2, record(6, 2, 3, keys.get(2), 1, "c")));
    await(fx.on(fx.store::appliedSoFar));

    assertThat(stale.code()).isEqualTo("stale_epoch");
    assertThat(fx.store.history(6)).isEqualTo(PartitionHistory.EMPTY.advance(1, 1).advance(2, 2));
  }

  @Test
  void recordsAreRefusedWhileTheRolesSayThisNodeIsTheirPrimary() throws Exception {
    String key = keysIn(0, 1).get(0);
    roles.serve(0, EPOCH);

    KvException stale = failure(take(record(0, EPOCH, 1, key, 1, "x")));

    assertThat(stale.code()).isEqualTo("stale_epoch");
    assertThat(fx.store.history(0)).isEqualTo(PartitionHistory.EMPTY);
  }

  @Test
  void appliedSoFarWaitsForRecordsTakenBeforeIt() throws Exception {
    // What a member taking a partition over relies on: once appliedSoFar completes, every record
    // it had taken is readable.
    List<String> keys = keysIn(1, 100);
    roles.acceptFrom(1, 1);
    for (int i = 0; i < keys.size(); i++) {
      await(take(record(1, 1, i + 1, keys.get(i), 1, "v" + i)));
      await(fx.on(fx.store::appliedSoFar));

      assertThat(fx.store.history(1).sequence()).isEqualTo(i + 1);
      assertThat(fx.storage.get(1, bytes(keys.get(i)))).as("record %d", i + 1).isNotNull();
    }
  }

  @Test
  void recordsAfterAnInstalledCopyContinueFromItsHistory() throws Exception {
    List<String> keys = keysIn(2, 3);
    roles.acceptFrom(2, 1);
    await(take(record(2, 1, 1, keys.get(0), 1, "replaced")));
    await(fx.on(fx.store::appliedSoFar));
    PartitionHistory copy = PartitionHistory.EMPTY.advance(1, 1).advance(2, 8).advance(2, 10);

    fx.store.install(
        2,
        sink -> sink.accept(Mutation.put(2, bytes(keys.get(1)), CODEC.encode(4, bytes("copied")))),
        () -> copy);

    assertThat(fx.store.history(2)).isEqualTo(copy);
    assertThat(fx.store.recentRecords().since(2, 9)).as("not held: before the copy").isNull();
    assertThat(fx.store.recentRecords().since(2, 10)).isEmpty();
    await(take(record(2, 2, 9, keys.get(2), 1, "old"), record(2, 2, 11, keys.get(2), 1, "next")));
    await(fx.on(fx.store::appliedSoFar));
    assertThat(fx.store.history(2)).isEqualTo(copy.advance(2, 11));

    roles.serve(2, 3);
    assertThat(failure(fx.get(keys.get(0))).status()).isEqualTo(404);
    assertValue(keys.get(1), 4, "copied");
    assertValue(keys.get(2), 1, "next");
    assertThat(await(fx.put(keys.get(1), "mine")).version()).isEqualTo(5);
    assertThat(fx.store.history(2).sequence()).isEqualTo(12);
  }

  @Test
  void writesWhoseReplicationFailedAreNeitherAppliedNorAcknowledged() throws Exception {
    String key = keysIn(3, 1).get(0);
    roles.serve(3, EPOCH);
    await(fx.put(key, "kept"));
    replication.manual = true;

    CompletableFuture<WriteResult> write = fx.put(key, "unknown");
    replication.next().replicated().completeExceptionally(new IllegalStateException("broken"));

    assertNotPrimary(failure(write));
    assertValue(key, 1, "kept");
    replication.manual = false;
    assertThat(await(fx.put(key, "after")).version()).isEqualTo(2);
    assertThat(fx.store.history(3))
        .isEqualTo(PartitionHistory.EMPTY.advance(EPOCH, 1).advance(EPOCH, 2));
  }

  /** Records sent under the newest epoch among them. */
  private CompletableFuture<Void> take(LogRecord... records) {
    Map<Integer, Long> fences = new HashMap<>();
    for (LogRecord record : records) {
      fences.merge(record.partition(), record.epoch(), Math::max);
    }
    return fx.on(() -> fx.store.takeRecords(fences, List.of(records)));
  }

  /** Records sent by the primary of leader epoch {@code fence}. */
  private CompletableFuture<Void> takeUnder(long fence, LogRecord... records) {
    Map<Integer, Long> fences = new HashMap<>();
    for (LogRecord record : records) {
      fences.put(record.partition(), fence);
    }
    return fx.on(() -> fx.store.takeRecords(fences, List.of(records)));
  }

  private static LogRecord record(
      int partition, long epoch, long sequence, String key, long version, String value) {
    return new LogRecord(
        0, partition, epoch, sequence, LogOp.PUT, bytes(key), CODEC.encode(version, bytes(value)));
  }

  private static LogRecord delete(int partition, long epoch, long sequence, String key) {
    return new LogRecord(0, partition, epoch, sequence, LogOp.DELETE, bytes(key), null);
  }

  private void assertValue(String key, long version, String value) throws Exception {
    VersionedValue read = await(fx.get(key));
    assertThat(read.version()).as("version of %s", key).isEqualTo(version);
    assertThat(text(read.value())).as("value of %s", key).isEqualTo(value);
  }

  private static void assertNotPrimary(KvException error) {
    assertThat(error.status()).isEqualTo(503);
    assertThat(error.code()).isEqualTo("not_primary");
  }

  private List<String> keysIn(int partition, int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < count; i++) {
      if (fx.partition(Key.of("key-" + i)) == partition) {
        keys.add("key-" + i);
      }
    }
    return keys;
  }

  private static org.assertj.core.groups.Tuple tuple(Object... values) {
    return org.assertj.core.groups.Tuple.tuple(values);
  }

  /** Roles a test sets per partition: served under an epoch, or taking records from a primary. */
  private static final class Roles implements PartitionRoles {
    private final Map<Integer, Long> serving = new ConcurrentHashMap<>();
    private final Map<Integer, Long> acceptedFrom = new ConcurrentHashMap<>();

    void serve(int partition, long epoch) {
      serving.put(partition, epoch);
    }

    void stopServing(int partition) {
      serving.remove(partition);
    }

    /** A replica of the partition, taking the records of leader epochs from {@code epoch} on. */
    void acceptFrom(int partition, long epoch) {
      serving.remove(partition);
      acceptedFrom.put(partition, epoch);
    }

    @Override
    public long servingEpoch(int partition) {
      return serving.getOrDefault(partition, -1L);
    }

    @Override
    public boolean acceptsRecords(int partition, long epoch) {
      return servingEpoch(partition) < 0
          && epoch >= acceptedFrom.getOrDefault(partition, Long.MAX_VALUE);
    }
  }

  /** One {@link Replication#ship} call: the records and the future the test completes. */
  private record Shipment(List<LogRecord> records, CompletableFuture<Set<Integer>> replicated) {}

  /** Completes each shipment at once, or, when manual, leaves it to the test. */
  private static final class ManualReplication implements Replication {
    private final LinkedBlockingQueue<Shipment> pending = new LinkedBlockingQueue<>();
    private final List<LogRecord> shipped = new ArrayList<>();
    volatile boolean manual;

    @Override
    public CompletableFuture<Set<Integer>> ship(List<LogRecord> records) {
      CompletableFuture<Set<Integer>> replicated = new CompletableFuture<>();
      synchronized (shipped) {
        shipped.addAll(records);
      }
      if (manual) {
        pending.add(new Shipment(List.copyOf(records), replicated));
      } else {
        replicated.complete(Set.of());
      }
      return replicated;
    }

    /** The next shipment left to the test, waiting for the sequencer to make it. */
    Shipment next() throws InterruptedException {
      Shipment shipment = pending.poll(StoreFixture.WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(shipment).as("a shipment").isNotNull();
      return shipment;
    }

    /** Waits until {@code records} records in all were shipped. */
    void awaitShipped(int records) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(StoreFixture.WAIT_SECONDS))
          .until(() -> shippedRecords().size() >= records);
    }

    List<LogRecord> shippedRecords() {
      synchronized (shipped) {
        return List.copyOf(shipped);
      }
    }

    /**
     * Once {@code records} records in all were shipped, completes every shipment still waiting with
     * {@code lost}, however the sequencer batched them.
     */
    void completeShipped(int records, Set<Integer> lost) {
      awaitShipped(records);
      for (Shipment shipment = pending.poll(); shipment != null; shipment = pending.poll()) {
        shipment.replicated().complete(lost);
      }
    }

    /** Lets every write still waiting finish, so the store can close. */
    void completeAll() {
      manual = false;
      pending.forEach(shipment -> shipment.replicated().complete(Set.of()));
    }
  }
}
