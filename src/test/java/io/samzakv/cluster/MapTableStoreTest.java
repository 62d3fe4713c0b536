package io.samzakv.cluster;

import static io.samzakv.cluster.Tables.table;
import static io.samzakv.cluster.Tables.withToken;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The table store of a two-member cluster, seen from both members. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MapTableStoreTest {
  private static Vertx vertx;
  private static HazelcastMembers members;
  private static TableStore first;
  private static TableStore second;

  @BeforeAll
  static void startTwoMembers() {
    vertx = Vertx.vertx();
    members = new HazelcastMembers(2);
    HazelcastInstance one = members.startSeed(0);
    HazelcastInstance two = members.startSeed(1);
    assertThat(HazelcastSetup.usesCpSubsystem(members.seedConfig(0))).isFalse();
    first = TableStores.open(vertx, one, members.seedConfig(0));
    second = new MapTableStore(vertx, two);
  }

  @AfterAll
  static void stop() {
    members.close();
    vertx.close().await();
  }

  @Test
  void onlyTheFirstTableIsCreatedAndOnlyItsSuccessorReplacesIt() throws Exception {
    assertThat(first).isInstanceOf(MapTableStore.class);
    PartitionTable one = table(1, List.of());
    assertThat(first.create(one).await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(second.create(table(1, List.of("late"))).await(10, TimeUnit.SECONDS)).isFalse();
    assertThat(second.read().await(10, TimeUnit.SECONDS)).isEqualTo(one);

    PartitionTable two = withToken(one, "second");
    assertThat(second.compareAndSet(two).await(10, TimeUnit.SECONDS)).isTrue();
    // The first member, deciding from the table it read before, loses.
    assertThat(first.compareAndSet(withToken(one, "first")).await(10, TimeUnit.SECONDS)).isFalse();
    assertThat(first.compareAndSet(table(5, List.of())).await(10, TimeUnit.SECONDS)).isFalse();
    assertThat(first.read().await(10, TimeUnit.SECONDS)).isEqualTo(two);
  }
}
