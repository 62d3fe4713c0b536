package io.samzakv.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * With three copies of every partition, two members lost one after the other (each a CP member and
 * a primary, the first also the controller) under a write load: writes succeed again after each
 * loss and no acknowledged write is lost.
 *
 * <p>Four members, not three: the partition table is stored in a Raft group of three CP members,
 * and Raft needs a majority. With three members the second loss leaves one of three, which no
 * consensus survives, so the table could not change again. With a fourth member, the cluster
 * promotes it to CP member after the first loss, and the group keeps two of three after the second.
 */
class TwoFailuresIT {
  private static final Map<String, String> SETTINGS =
      Map.of("KV_PARTITIONS", "16", "KV_REPLICATION", "3");

  @RegisterExtension final NodeProcesses processes = new NodeProcesses();
  @TempDir Path dir;

  @Test
  void twoMembersKilledInTurnLoseNoAcknowledgedWrite() throws Exception {
    // node-1..3 form the cluster first, so they are the CP members and node-4 is not.
    TestCluster cluster = TestCluster.start(dir, processes, 4, SETTINGS, 3);
    cluster.awaitSettled(Duration.ofSeconds(60));
    WriteLoad load = new WriteLoad(WriteLoad.newClient(), path -> cluster.anyLive().uri(path), 64);
    load.start(6);
    await().atMost(Duration.ofSeconds(30)).until(() -> load.acks() > 300);

    killAndAwaitWritable(cluster, 0, load);
    long settling = System.nanoTime();
    await("node-4 promoted to the CP Subsystem")
        .atMost(Duration.ofSeconds(30))
        .until(() -> cluster.node(3).stdout().contains("this member is now a CP member"));
    cluster.awaitSettled(Duration.ofSeconds(60));
    System.out.printf(
        "three copies of every partition again %d ms after the first loss was writable%n",
        (System.nanoTime() - settling) / 1_000_000);

    killAndAwaitWritable(cluster, 1, load);
    load.stop();
    System.out.printf("%d writes acknowledged, failures: %s%n", load.acks(), load.failures());
    for (KvProcess node : cluster.live()) {
      assertThat(load.violations(node)).isEmpty();
    }
    assertThat(load.unexpected()).isEmpty();
  }

  /**
   * Kills node {@code victim}, a primary, and waits until a write to one of its partitions and 200
   * more writes of the load are acknowledged.
   */
  private static void killAndAwaitWritable(TestCluster cluster, int victim, WriteLoad load)
      throws Exception {
    KvProcess viewer =
        cluster.live().stream().filter(node -> node != cluster.node(victim)).findFirst().get();
    String key = cluster.keyLedBy(viewer, cluster.nodeId(victim));
    long killedAt = System.nanoTime();
    cluster.kill(victim);
    long writable = cluster.awaitWritable(key, Duration.ofSeconds(30));
    System.out.printf(
        "%s killed: its partitions writable again after %d ms%n",
        cluster.nodeId(victim), (writable - killedAt) / 1_000_000);
    int acks = load.acks();
    await().atMost(Duration.ofSeconds(30)).until(() -> load.acks() > acks + 200);
  }
}
