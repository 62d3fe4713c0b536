package io.samzakv.api.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.cluster.PartitionTable;
import io.samzakv.routing.FakeTables;
import io.samzakv.routing.ForwardedRequests;
import io.samzakv.routing.LocalPartitions;
import io.samzakv.store.Replication;
import io.samzakv.store.StoreFixture;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KvClient} sends straight to the primary its table names: with a table that is out of date
 * it is refused, asks for the table again and then succeeds; with no primary answering at all it
 * gives up with a 503 within its bound.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvClientRoutingTest {
  private static final int PARTITIONS = StoreFixture.PARTITIONS;

  @TempDir Path dir;

  private Vertx vertx;
  private StoreFixture store;
  private FakeTables tables;
  private KvClient client;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    store = StoreFixture.open(dir, vertx);
    tables = new FakeTables(FakeTables.table(PARTITIONS, 11, "n2", 11));
    store.store.replicate(tables.rolesOf("n2"), Replication.NONE);
    vertx
        .deployVerticle(new ForwardedRequests("n2", tables, new LocalPartitions(store.store, 1024)))
        .await();
    vertx.deployVerticle(new TableBusVerticle(tables)).await();
    client = new KvClient(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    vertx.close().await();
    store.close();
  }

  @Test
  void aRefusalForAnOutdatedTableMakesTheClientFetchTheTableAndTryAgain() {
    publish(FakeTables.table(PARTITIONS, 10, "n2", 3));

    assertThat(client.put("k", bytes("v")).await()).isEqualTo(1L);
    assertThat(client.table().epoch()).isEqualTo(11);
    assertThat(client.get("k").await().value()).isEqualTo(bytes("v"));
  }

  @Test
  void aPrimaryThatNeverAnswersIsGivenUpWithA503() {
    tables.current = FakeTables.table(PARTITIONS, 12, "gone", 12);
    long start = System.nanoTime();

    ReplyException failure = (ReplyException) catchFailure(() -> client.get("k").await());

    assertThat(failure.failureCode()).isEqualTo(503);
    assertThat(new JsonObject(failure.getMessage()).getString("error")).isEqualTo("unavailable");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isBetween(9L, 15L);
  }

  /** What a node announces on {@code kv.table}; waits until the client has taken it. */
  private void publish(PartitionTable table) {
    vertx.eventBus().publish(BusAddresses.TABLE, table.toJson());
    org.awaitility.Awaitility.await().until(() -> client.table() != null);
  }

  private static Throwable catchFailure(Runnable action) {
    try {
      action.run();
    } catch (Throwable e) {
      return e;
    }
    throw new AssertionError("succeeded where a failure was expected");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
