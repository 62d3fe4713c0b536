package io.samzakv.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.samzakv.testing.linearizability.History;
import io.samzakv.testing.linearizability.HttpHistoryLoad;
import io.samzakv.testing.linearizability.LinearizabilityChecker;
import io.samzakv.testing.linearizability.Op;
import io.samzakv.testing.linearizability.Outcome;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads, writes, CAS and deletes on a few keys from concurrent clients through every node of a
 * replicated cluster, across a {@code kill -9} of the primary of most of those keys and its return
 * (it takes its primaries back under the load): the history the clients saw must be linearizable. A
 * lost acknowledged write, a read served by a stale primary, or a write that two primaries both
 * accepted shows up as a history no single order of the operations explains.
 */
class LinearizabilityIT {
  private static final Map<String, String> SETTINGS =
      Map.of("KV_PARTITIONS", "8", "KV_REPLICATION", "2");
  private static final List<String> KEYS =
      IntStream.range(0, 12).mapToObj(i -> "lin/" + i).toList();

  @RegisterExtension final NodeProcesses processes = new NodeProcesses();
  @TempDir Path dir;

  @Test
  void historyAcrossAKilledPrimaryIsLinearizable() throws Exception {
    TestCluster cluster = TestCluster.start(dir, processes, 3, SETTINGS);
    cluster.awaitSettled(Duration.ofSeconds(60));
    Map<String, List<String>> keysByPrimary = new HashMap<>();
    for (String key : KEYS) {
      keysByPrimary
          .computeIfAbsent(cluster.primaryOf(cluster.node(0), key), id -> new ArrayList<>())
          .add(key);
    }
    String victimId =
        Collections.max(
                keysByPrimary.entrySet(), Map.Entry.comparingByValue((a, b) -> a.size() - b.size()))
            .getKey();
    Set<String> victimKeys = Set.copyOf(keysByPrimary.get(victimId));

    List<URI> nodes = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      nodes.add(cluster.node(i).uri(""));
    }
    long started = System.nanoTime();
    HttpHistoryLoad load = HttpHistoryLoad.start(nodes, 8, KEYS);
    await().atMost(Duration.ofSeconds(30)).until(() -> load.history().size() > 400);

    long killedAt = System.nanoTime();
    cluster.kill(cluster.indexOf(victimId));
    await("a write to one of " + victimKeys + " acknowledged after the kill")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> firstWriteAfter(load.history(), victimKeys, killedAt) > 0);
    long recovered = firstWriteAfter(load.history(), victimKeys, killedAt);
    awaitMoreOps(load, 300);

    // The member comes back and takes its primaries back: a handover under load, the other moment
    // two members could both believe they lead a partition.
    long restarting = System.nanoTime();
    cluster.restart(cluster.indexOf(victimId)).awaitReady();
    cluster.awaitSettled(Duration.ofSeconds(60));
    long settled = System.nanoTime();
    awaitMoreOps(load, 300);
    History history = load.stop();

    List<Op> ops = history.ops();
    Map<String, Long> outcomes =
        ops.stream()
            .collect(
                Collectors.groupingBy(
                    op -> op.outcome().getClass().getSimpleName(), Collectors.counting()));
    System.out.printf(
        "%s (primary of %s) killed; writes to its keys acknowledged again %d ms later;"
            + " restarted, it settled in %d ms; %d ops in %d ms: %s%n",
        victimId,
        victimKeys,
        (recovered - killedAt) / 1_000_000,
        (settled - restarting) / 1_000_000,
        ops.size(),
        (System.nanoTime() - started) / 1_000_000,
        outcomes);
    long checkStarted = System.nanoTime();
    LinearizabilityChecker.Result result = LinearizabilityChecker.check(history);
    System.out.printf(
        "checked in %d ms: %s%n", (System.nanoTime() - checkStarted) / 1_000_000, result.verdict());
    assertThat(result.isLinearizable()).as(result.explanation()).isTrue();
  }

  private static void awaitMoreOps(HttpHistoryLoad load, int more) {
    int now = load.history().size();
    await().atMost(Duration.ofSeconds(60)).until(() -> load.history().size() > now + more);
  }

  /**
   * The completion time of the first write, CAS or delete to one of {@code keys} invoked after
   * {@code since} that a node acknowledged; 0 if none yet.
   */
  private static long firstWriteAfter(History history, Set<String> keys, long since) {
    return history.ops().stream()
        .filter(op -> op.kind() != Op.Kind.READ && keys.contains(op.key()))
        .filter(op -> op.invokeNanos() > since && op.outcome() instanceof Outcome.Ok)
        .mapToLong(Op::completeNanos)
        .min()
        .orElse(0);
  }
}
