package io.samzakv.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.samzakv.cluster.PartitionAssignment;
import io.samzakv.cluster.PartitionTable;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.ScanRange;
import io.samzakv.routing.ForwardProtocol.Fence;
import io.samzakv.routing.ForwardProtocol.Request;
import io.samzakv.store.Replication;
import io.samzakv.store.StoreFixture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The primary's side of forwarding: node "n1" serves a forwarded request only when its own table
 * makes it the partition's primary at the sender's leader epoch; it refreshes its table when the
 * sender is ahead; every other mismatch is refused with a code the sender retries on; and a failure
 * of the request itself reaches the sender as the same {@link KvException}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForwardedRequestsTest {
  private static final String SELF = "n1";
  private static final Key KEY = Key.of("k");
  private static final int PARTITION = new Partitioner(StoreFixture.PARTITIONS).partitionOf(KEY);

  @TempDir Path dir;

  private Vertx vertx;
  private StoreFixture fixture;
  private FakeTables tables;
  private Forwarder forwarder;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    fixture = StoreFixture.open(dir, vertx);
    tables = new FakeTables(table(10, SELF, 7));
    fixture.store.replicate(tables.rolesOf(SELF), Replication.NONE);
    forwarder = new Forwarder(vertx, new SimpleMeterRegistry(), Duration.ofSeconds(10));
    vertx
        .deployVerticle(
            new ForwardedRequests(SELF, tables, new LocalPartitions(fixture.store, 1024)))
        .await();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await();
    fixture.close();
  }

  @Test
  void servesAtTheSameLeaderEpoch() {
    long version = ForwardProtocol.decodeVersion(send(put(7, "v")).await());
    assertThat(version).isEqualTo(1);
    var read = ForwardProtocol.decodeValue(send(get(7)).await());
    assertThat(read.version()).isEqualTo(1);
    assertThat(new String(read.value(), StandardCharsets.UTF_8)).isEqualTo("v");
    assertThat(tables.refreshes.get()).isZero();
  }

  @Test
  void refusesAnOlderLeaderEpochWithItsTableEpoch() {
    ReplyException refused = refusal(put(6, "v"));
    assertThat(refused.failureCode()).isEqualTo(ForwardProtocol.STALE_EPOCH);
    JsonObject body = new JsonObject(refused.getMessage());
    assertThat(body.getString("error")).isEqualTo("stale_epoch");
    assertThat(body.getLong("table_epoch")).isEqualTo(10);
    // Nothing was written.
    assertThat(failure(get(7)).status()).isEqualTo(404);
  }

  @Test
  void refreshesItsTableWhenTheSenderKnowsANewerEpochAndServesIfStillPrimary() {
    tables.authority = table(11, SELF, 11);
    long version = ForwardProtocol.decodeVersion(send(put(11, "v")).await());
    assertThat(version).isEqualTo(1);
    assertThat(tables.refreshes.get()).isEqualTo(1);
  }

  @Test
  void refusesANewerEpochWhenTheRefreshedTableNamesAnotherPrimary() {
    tables.authority = table(11, "n2", 11);
    ReplyException refused = refusal(get(11));
    assertThat(refused.failureCode()).isEqualTo(ForwardProtocol.NOT_PRIMARY);
    assertThat(new JsonObject(refused.getMessage()).getLong("table_epoch")).isEqualTo(11);
    assertThat(tables.refreshes.get()).isEqualTo(1);
  }

  @Test
  void refusesANewerEpochItsAuthorityDoesNotKnowYet() {
    ReplyException refused = refusal(get(12));
    assertThat(refused.failureCode()).isEqualTo(ForwardProtocol.STALE_EPOCH);
    assertThat(tables.refreshes.get()).isEqualTo(1);
  }

  @Test
  void refusesAPartitionItIsNotPrimaryOf() {
    tables.current = table(10, "n2", 7);
    ReplyException refused = refusal(get(7));
    assertThat(refused.failureCode()).isEqualTo(ForwardProtocol.NOT_PRIMARY);
    assertThat(new JsonObject(refused.getMessage()).getString("error")).isEqualTo("not_primary");
  }

  @Test
  void refusesAScanWhenAnyOfItsPartitionsIsAnothersAndTheSenderRetriesIt() {
    List<PartitionAssignment> assignments = new ArrayList<>(table(10, SELF, 7).partitions());
    assignments.set(3, FakeTables.assignment("n2", 7));
    tables.current = new PartitionTable(10, 1, assignments);
    List<Fence> fences = List.of(new Fence(2, 7), new Fence(3, 7));
    Throwable failure =
        sendThroughForwarder(new ForwardProtocol.Scan(fences, ScanRange.between(null, null), 10));
    assertThat(failure).isInstanceOf(Unroutable.class);
  }

  @Test
  void businessFailuresReachTheSenderAsTheSameKvException() {
    send(put(7, "v")).await();

    KvException mismatch =
        failure(
            new ForwardProtocol.Put(
                new Fence(PARTITION, 7), KEY, bytes("w"), Precondition.ifVersion(5)));
    assertThat(mismatch.status()).isEqualTo(412);
    assertThat(mismatch.code()).isEqualTo("version_mismatch");
    assertThat(mismatch.currentVersion()).isEqualTo(1);
    assertThat(mismatch.getMessage()).isEqualTo("the key's current version is 1");

    KvException absent = failure(new ForwardProtocol.Get(new Fence(PARTITION, 7), Key.of("no")));
    assertThat(absent.status()).isEqualTo(404);
    assertThat(absent.code()).isEqualTo("not_found");
    assertThat(absent.currentVersion()).isNull();

    KvException tooLarge =
        failure(
            new ForwardProtocol.Put(
                new Fence(PARTITION, 7), KEY, new byte[1025], Precondition.NONE));
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.code()).isEqualTo("too_large");
  }

  @Test
  void aScanServesItsPartitionsInKeyOrder() {
    for (String key : List.of("b", "a", "c")) {
      Key k = Key.of(key);
      int p = new Partitioner(StoreFixture.PARTITIONS).partitionOf(k);
      send(new ForwardProtocol.Put(new Fence(p, 7), k, bytes(key), Precondition.NONE)).await();
    }
    List<Fence> all = new ArrayList<>();
    for (int p = 0; p < StoreFixture.PARTITIONS; p++) {
      all.add(new Fence(p, 7));
    }
    var page =
        ForwardProtocol.decodePage(
            send(new ForwardProtocol.Scan(all, ScanRange.between(null, null), 2)).await());
    assertThat(page.items()).extracting(item -> item.key()).containsExactly("a", "b");
    assertThat(page.next()).isEqualTo("c");
  }

  private Request put(long leaderEpoch, String value) {
    return new ForwardProtocol.Put(
        new Fence(PARTITION, leaderEpoch), KEY, bytes(value), Precondition.NONE);
  }

  private Request get(long leaderEpoch) {
    return new ForwardProtocol.Get(new Fence(PARTITION, leaderEpoch), KEY);
  }

  /** Sends as a member would, straight on the bus, from an event loop. */
  private Future<Buffer> send(Request request) {
    return OnContext.run(vertx, () -> forwarder.send(SELF, request));
  }

  private ReplyException refusal(Request request) {
    Throwable failure =
        OnContext.failure(
            OnContext.run(
                vertx,
                () ->
                    vertx
                        .eventBus()
                        .<Buffer>request(
                            ForwardProtocol.address(SELF), ForwardProtocol.encode(request))
                        .map(message -> message.body())));
    assertThat(failure).isInstanceOf(ReplyException.class);
    assertThat(ForwardProtocol.isRefusal(failure)).isTrue();
    return (ReplyException) failure;
  }

  private KvException failure(Request request) {
    Throwable failure = sendThroughForwarder(request);
    assertThat(failure).isInstanceOf(KvException.class);
    return (KvException) failure;
  }

  private Throwable sendThroughForwarder(Request request) {
    return OnContext.failure(send(request));
  }

  private static PartitionTable table(long epoch, String primary, long leaderEpoch) {
    return FakeTables.table(StoreFixture.PARTITIONS, epoch, primary, leaderEpoch);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
