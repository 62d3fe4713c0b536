package io.samzakv.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.samzakv.cluster.PartitionAssignment;
import io.samzakv.cluster.PartitionTable;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.ScanPage;
import io.samzakv.kv.ScanRange;
import io.samzakv.store.Replication;
import io.samzakv.store.StoreFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sender's side of forwarding, with two members on one Vert.x event bus: "n1" routes, "n2"
 * serves the partitions its table gives it. A request for n2's partition reaches n2's store and its
 * answer, failure included, comes back as n2 gave it; a refusal of n1's epoch makes n1 refresh its
 * table and try again; a primary that never answers costs a bounded wait and a 503.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvRouterTest {
  private static final int PARTITIONS = StoreFixture.PARTITIONS;

  @TempDir Path dir;

  private Vertx vertx;
  private StoreFixture here;
  private StoreFixture there;
  private FakeTables hereTables;
  private FakeTables thereTables;
  private SimpleMeterRegistry registry;
  private KvRouter router;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    here = StoreFixture.open(dir.resolve("n1"), vertx);
    there = StoreFixture.open(dir.resolve("n2"), vertx);
    hereTables = new FakeTables(FakeTables.table(PARTITIONS, 10, "n2", 3));
    thereTables = new FakeTables(FakeTables.table(PARTITIONS, 10, "n2", 3));
    here.store.replicate(hereTables.rolesOf("n1"), Replication.NONE);
    there.store.replicate(thereTables.rolesOf("n2"), Replication.NONE);
    registry = new SimpleMeterRegistry();
    router =
        new KvRouter(
            vertx, hereTables, new LocalPartitions(here.store, 1024), "n1", PARTITIONS, registry);
    vertx
        .deployVerticle(
            new ForwardedRequests("n2", thereTables, new LocalPartitions(there.store, 1024)))
        .await();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await();
    here.close();
    there.close();
  }

  @Test
  void aPartitionAnotherMemberIsPrimaryOfIsServedByItAndCounted() {
    assertThat(on(() -> router.put(Key.of("k"), bytes("v"), Precondition.NONE)).await().version())
        .isEqualTo(1);
    assertThat(on(() -> router.get(Key.of("k"))).await().value()).isEqualTo(bytes("v"));
    // Written into n2's store, not n1's.
    int partition = new Partitioner(PARTITIONS).partitionOf(Key.of("k"));
    assertThat(on(() -> there.store.get(partition, Key.of("k"))).await().version()).isEqualTo(1);
    assertThat(OnContext.failure(on(() -> here.store.get(partition, Key.of("k")))))
        .isInstanceOf(KvException.class);

    KvException mismatch =
        (KvException)
            OnContext.failure(
                on(() -> router.put(Key.of("k"), bytes("w"), Precondition.ifVersion(4))));
    assertThat(mismatch.status()).isEqualTo(412);
    assertThat(mismatch.currentVersion()).isEqualTo(1);
    KvException tooLarge =
        (KvException)
            OnContext.failure(on(() -> router.put(Key.of("k"), new byte[2000], Precondition.NONE)));
    assertThat(tooLarge.status()).isEqualTo(413);

    on(() -> router.delete(Key.of("k"), Precondition.NONE)).await();
    assertThat(((KvException) OnContext.failure(on(() -> router.get(Key.of("k"))))).status())
        .isEqualTo(404);
    assertThat(registry.get("kv.forwarded.requests").tag("op", "put").counter().count())
        .isEqualTo(3);
    assertThat(registry.get("kv.forward.round.trip").tag("op", "get").timer().count()).isEqualTo(2);
  }

  @Test
  void aRefusedEpochMakesTheSenderRefreshItsTableAndTryAgain() {
    PartitionTable moved = FakeTables.table(PARTITIONS, 11, "n2", 11);
    thereTables.current = moved;
    hereTables.authority = moved;

    assertThat(on(() -> router.put(Key.of("k"), bytes("v"), Precondition.NONE)).await().version())
        .isEqualTo(1);
    assertThat(hereTables.refreshes.get()).isEqualTo(1);
    assertThat(hereTables.current.epoch()).isEqualTo(11);
  }

  @Test
  void aScanMergesThePagesOfThisMemberAndTheOthers() {
    List<PartitionAssignment> split = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      split.add(FakeTables.assignment(p % 2 == 0 ? "n1" : "n2", 3));
    }
    hereTables.current = new PartitionTable(10, 1, split);
    thereTables.current = hereTables.current;
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      keys.add(String.format("s%02d", i));
      Key key = Key.of(keys.get(i));
      on(() -> router.put(key, bytes("v"), Precondition.NONE)).await();
    }

    List<String> seen = new ArrayList<>();
    ScanRange range = ScanRange.between(null, null);
    while (range != null) {
      ScanRange from = range;
      ScanPage page = on(() -> router.scan(from, 6)).await();
      page.items().forEach(item -> seen.add(item.key()));
      range = page.next() == null ? null : ScanRange.between(Key.of(page.next()), null);
    }
    assertThat(seen).containsExactlyElementsOf(keys);
    assertThat(registry.get("kv.forwarded.requests").tag("op", "scan").counter().count())
        .isEqualTo(7);
  }

  @Test
  void aPrimaryNobodyListensForIsRetriedUntilTheBoundThenAnswered503() {
    hereTables.current = FakeTables.table(PARTITIONS, 10, "gone", 3);
    hereTables.authority = hereTables.current;
    long start = System.nanoTime();

    Throwable failure = OnContext.failure(on(() -> router.get(Key.of("k"))));

    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(failure).isInstanceOf(KvException.class);
    assertThat(((KvException) failure).status()).isEqualTo(503);
    assertThat(millis).isBetween(KvRouter.RETRY_BOUND.toMillis() - 500, 10_000L);
    assertThat(hereTables.refreshes.get()).isGreaterThan(5);
  }

  @Test
  void aWriteWhoseAnswerIsLostIsAnswered503AndNotSentAgain() {
    hereTables.current = FakeTables.table(PARTITIONS, 10, "silent", 3);
    AtomicInteger received = new AtomicInteger();
    vertx
        .eventBus()
        .consumer(ForwardProtocol.address("silent"), message -> received.incrementAndGet())
        .completion()
        .await();

    Throwable failure =
        OnContext.failure(on(() -> router.put(Key.of("k"), bytes("v"), Precondition.NONE)));

    assertThat(((KvException) failure).status()).isEqualTo(503);
    assertThat(failure.getMessage()).contains("may or may not have been applied");
    assertThat(received.get()).isEqualTo(1);
  }

  private <T> Future<T> on(Supplier<Future<T>> operation) {
    return OnContext.run(vertx, operation);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
