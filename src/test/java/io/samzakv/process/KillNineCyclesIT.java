package io.samzakv.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One data directory through twenty crashes: each cycle starts the node on what the last crash
 * left, writes under concurrent load (new keys and {@code If-Match} overwrites of earlier ones) and
 * ends in {@code kill -9}. A single crash can miss an unlucky moment (a segment roll, a checkpoint,
 * a recovery that itself is cut short); twenty of them, each recovering the previous one's torn
 * state, make those moments likely. At the end every write acknowledged in any cycle must be there.
 */
class KillNineCyclesIT {
  private static final int CYCLES = 20;
  private static final int WRITERS = 8;

  @TempDir Path dir;

  @RegisterExtension final NodeProcesses nodes = new NodeProcesses();
  private final HttpClient client = WriteLoad.newClient();

  @Test
  void twentyKill9sUnderWriteLoadLoseNoAcknowledgedWrite() throws Exception {
    Map<String, String> env = KvProcess.env(dir.resolve("data"));
    env.put("KV_FSYNC", "always");
    // Small segments, so cycles roll segments and the checkpointer deletes some under load.
    env.put("KV_SEGMENT_BYTES", "1048576");
    AtomicReference<KvProcess> node = new AtomicReference<>();
    WriteLoad load = new WriteLoad(client, path -> node.get().uri(path), 2 << 10);
    for (int cycle = 1; cycle <= CYCLES; cycle++) {
      node.set(nodes.start(dir, env).awaitReady());
      int acksBefore = load.acks();
      load.start(WRITERS);
      // The load's duration, not a wait for some state; varied so kills land at different points.
      Thread.sleep(700 + 150L * (cycle % 7));
      node.get().kill();
      load.stop();
      assertThat(load.acks())
          .as("acknowledged writes in cycle %d", cycle)
          .isGreaterThan(acksBefore);
    }
    assertThat(load.unexpected()).as("answers no node should give").isEmpty();

    KvProcess last = nodes.start(dir, env).awaitReady();
    List<String> problems = load.violations(last);
    System.out.printf(
        "%d cycles: %d acked writes on %d keys, failed: %s%n",
        CYCLES, load.acks(), load.ackedKeys(), load.failures());
    assertThat(problems)
        .withFailMessage(
            "%d keys wrong after %d kill -9 cycles, first ones: %s",
            problems.size(), CYCLES, problems.subList(0, Math.min(20, problems.size())))
        .isEmpty();
  }
}
