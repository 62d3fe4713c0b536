package io.samzakv.cluster;

import static io.samzakv.cluster.Tables.table;
import static io.samzakv.cluster.Tables.withToken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TableDirectoryTest {
  @TempDir Path dataDir;
  private Vertx vertx;
  private final InMemoryTableStore store = new InMemoryTableStore();
  private TableDirectory directory;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    directory = open();
  }

  @AfterEach
  void stop() {
    directory.close().await();
    vertx.close().await();
  }

  private TableDirectory open() throws Exception {
    return TableDirectory.open(vertx, store, new TableFile(dataDir), Duration.ofMillis(100))
        .await(5, TimeUnit.SECONDS);
  }

  @Test
  void onlyANewerTableIsAdopted() throws Exception {
    List<Long> heard = new CopyOnWriteArrayList<>();
    directory.onChange(table -> heard.add(table.epoch()));

    directory.adopt(table(2, List.of("b"))).await(5, TimeUnit.SECONDS);
    PartitionTable kept = directory.adopt(table(1, List.of("a"))).await(5, TimeUnit.SECONDS);
    directory.adopt(table(2, List.of("other"))).await(5, TimeUnit.SECONDS);

    assertThat(kept).isEqualTo(table(2, List.of("b")));
    assertThat(directory.current()).isEqualTo(table(2, List.of("b")));
    assertThat(heard).containsExactly(2L);
  }

  @Test
  void aTableIsSavedBeforeAnyListenerHearsOfIt() throws Exception {
    TableFile file = new TableFile(dataDir);
    List<PartitionTable> savedWhenHeard = new CopyOnWriteArrayList<>();
    directory.onChange(
        table -> {
          try {
            savedWhenHeard.add(file.read());
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });

    directory.adopt(table(4, List.of("x"))).await(5, TimeUnit.SECONDS);

    assertThat(savedWhenHeard).containsExactly(table(4, List.of("x")));
  }

  @Test
  void aReopenedDirectoryRemembersTheSavedTableButDoesNotActOnIt() throws Exception {
    directory.adopt(table(6, List.of("x"))).await(5, TimeUnit.SECONDS);
    directory.close().await();

    directory = open();

    assertThat(directory.saved()).isEqualTo(table(6, List.of("x")));
    assertThat(directory.current())
        .as("the cluster may have moved on while this member was away")
        .isNull();
    assertThat(directory.createIfAbsent(() -> table(1, List.of("y"))).await(5, TimeUnit.SECONDS))
        .as("a first table this member stores passes the one it saved")
        .isEqualTo(table(7, List.of("y")));
  }

  @Test
  void aNewerStoredTableIsLearnedByPollingAndFromThePublish() {
    store.put(table(3, List.of()));
    await().atMost(Duration.ofSeconds(5)).until(() -> directory.current() != null);
    assertThat(directory.current().epoch()).isEqualTo(3);

    vertx.eventBus().publish(TableDirectory.ADDRESS, table(9, List.of()).toJson().encode());
    await().atMost(Duration.ofSeconds(5)).until(() -> directory.current().epoch() == 9);
  }

  @Test
  void aChangeThatLosesARaceIsAppliedAgainOnTheWinnersTable() throws Exception {
    directory.createIfAbsent(() -> table(1, List.of())).await(5, TimeUnit.SECONDS);
    store.rivalBeforeNextSwap(stored -> withToken(stored, "rival"));

    PartitionTable changed =
        directory.change(table -> withToken(table, "mine")).await(5, TimeUnit.SECONDS);

    assertThat(changed).isEqualTo(table(3, List.of("rival", "mine")));
    assertThat(store.stored()).isEqualTo(changed);
    assertThat(directory.current()).isEqualTo(changed);
  }

  @Test
  void aSwapStoredButReportedFailedCountsAsDoneNotAppliedTwice() throws Exception {
    directory.createIfAbsent(() -> table(1, List.of())).await(5, TimeUnit.SECONDS);
    store.failNextSwapAfterStoring();

    PartitionTable changed =
        directory.change(table -> withToken(table, "once")).await(5, TimeUnit.SECONDS);

    assertThat(changed).isEqualTo(table(2, List.of("once")));
    assertThat(store.stored()).isEqualTo(changed);
  }

  @Test
  void aChangeWithNothingToDoLeavesTheTableAlone() throws Exception {
    PartitionTable first =
        directory.createIfAbsent(() -> table(1, List.of())).await(5, TimeUnit.SECONDS);

    PartitionTable same = directory.change(table -> table).await(5, TimeUnit.SECONDS);

    assertThat(same).isEqualTo(first);
    assertThat(store.stored().epoch()).isEqualTo(1);
  }

  @Test
  void aChangeToTheWrongEpochIsRefused() throws Exception {
    directory.createIfAbsent(() -> table(1, List.of())).await(5, TimeUnit.SECONDS);

    assertThatThrownBy(
            () -> directory.change(table -> table(5, List.of())).await(5, TimeUnit.SECONDS))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.stored().epoch()).isEqualTo(1);
  }

  @Test
  void onlyTheFirstTableIsCreatedAndItsEpochPassesTheSavedOne() throws Exception {
    directory.adopt(table(7, List.of("old"))).await(5, TimeUnit.SECONDS);

    PartitionTable first =
        directory.createIfAbsent(() -> table(1, List.of("a"))).await(5, TimeUnit.SECONDS);
    PartitionTable second =
        directory.createIfAbsent(() -> table(1, List.of("b"))).await(5, TimeUnit.SECONDS);

    assertThat(first).isEqualTo(table(8, List.of("a")));
    assertThat(second).isEqualTo(first);
    assertThat(directory.current()).isEqualTo(first);
  }
}
