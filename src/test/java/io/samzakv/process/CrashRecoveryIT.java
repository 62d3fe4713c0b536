package io.samzakv.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * API.md §4 against the real jar: with {@code KV_FSYNC=always} a {@code kill -9} in the middle of a
 * write burst loses no acknowledged write; a torn op-log tail is truncated with a warning. Damage
 * in the middle of the log is {@link OpLogDamageIT}'s.
 */
class CrashRecoveryIT {
  private static final int WRITERS = 16;

  /** Values up to 8 KiB: the burst fills several 1 MiB segments. */
  private static final int MAX_FILLER = 8 << 10;

  @TempDir Path dir;

  @RegisterExtension final NodeProcesses nodes = new NodeProcesses();
  private final HttpClient client = WriteLoad.newClient();

  private KvProcess start(Map<String, String> env) {
    return nodes.start(dir, env);
  }

  private Map<String, String> env() {
    Map<String, String> env = KvProcess.env(dir.resolve("data"));
    env.put("KV_FSYNC", "always");
    // Small segments, so the burst rolls segments and the checkpointer deletes some under load.
    env.put("KV_SEGMENT_BYTES", "1048576");
    return env;
  }

  /** Writes for {@code burst}, then SIGKILLs the node while the writers are still going. */
  private WriteLoad burstThenKill(KvProcess node, Duration burst)
      throws InterruptedException, IOException {
    WriteLoad load = new WriteLoad(client, node::uri, MAX_FILLER);
    load.start(WRITERS);
    Thread.sleep(burst.toMillis()); // the load's duration, not a wait for some state
    node.kill();
    load.stop();
    assertThat(load.unexpected()).as("responses before the kill").isEmpty();
    assertThat(load.acks()).as("acknowledged writes in the burst").isGreaterThan(100);
    System.out.printf(
        "burst: %d acked writes on %d keys, failed: %s%n",
        load.acks(), load.ackedKeys(), load.failures());
    try (Stream<Path> files = Files.list(dir.resolve("data").resolve("oplog"))) {
      System.out.println(
          "op log after the kill: " + files.map(Path::getFileName).sorted().toList());
    }
    return load;
  }

  private void assertEveryAckedWriteSurvived(WriteLoad load, KvProcess restarted)
      throws IOException, InterruptedException {
    List<String> problems = load.violations(restarted);
    assertThat(problems)
        .withFailMessage(
            "%d keys wrong after recovery (of %d acked writes on %d keys), first ones: %s%n"
                + "failed writes: %s%n%s",
            problems.size(),
            load.acks(),
            load.ackedKeys(),
            problems.subList(0, Math.min(20, problems.size())),
            load.failures(),
            restarted.describe())
        .isEmpty();
    // The point read path (cache, reader pool) must agree with the scan.
    Map<String, WriteLoad.Stored> scanned = WriteLoad.scanAll(client, restarted);
    for (String key : load.sampleAckedKeys(300)) {
      assertThat(WriteLoad.get(client, restarted, key))
          .as("GET %s", key)
          .isEqualTo(scanned.get(key));
    }
  }

  @Test
  void kill9DuringWritesLosesNoAcknowledgedWrite() throws Exception {
    Map<String, String> env = env();
    // Longer than the checkpoint interval (5 s), so segments are rolled and deleted under load.
    WriteLoad load = burstThenKill(start(env).awaitReady(), Duration.ofSeconds(7));

    KvProcess restarted = start(env).awaitReady();

    assertEveryAckedWriteSurvived(load, restarted);
  }

  @Test
  void tornTailHalfRecordIsTruncatedWithAWarning() throws Exception {
    Map<String, String> env = env();
    WriteLoad load = burstThenKill(start(env).awaitReady(), Duration.ofSeconds(3));
    Path segment = KvProcess.newestSegment(dir.resolve("data"));
    // A crash mid-append leaves the front of a frame: a real frame's header and half its body.
    byte[] bytes = Files.readAllBytes(segment);
    byte[] torn;
    if (bytes.length >= 8) {
      int length = ByteBuffer.wrap(bytes).getInt(0);
      torn = java.util.Arrays.copyOf(bytes, 8 + length / 2);
    } else {
      torn = ByteBuffer.allocate(40).putInt(200).putInt(12345).array();
    }
    append(segment, torn);

    KvProcess restarted = start(env).awaitReady();

    assertThat(restarted.stdout())
        .as(restarted.describe())
        .containsIgnoringCase("torn tail")
        .contains(segment.getFileName().toString());
    assertThat(Files.size(segment)).as("truncated back").isLessThanOrEqualTo(bytes.length);
    assertEveryAckedWriteSurvived(load, restarted);
    assertWritable(restarted);
  }

  @Test
  void tornTailOfGarbageIsTruncatedWithAWarning() throws Exception {
    Map<String, String> env = env();
    WriteLoad load = burstThenKill(start(env).awaitReady(), Duration.ofSeconds(3));
    Path segment = KvProcess.newestSegment(dir.resolve("data"));
    byte[] garbage = new byte[37];
    ThreadLocalRandom.current().nextBytes(garbage);
    garbage[0] = (byte) 0xFF; // an impossible length word, whatever the rest says
    append(segment, garbage);

    KvProcess restarted = start(env).awaitReady();

    assertThat(restarted.stdout())
        .as(restarted.describe())
        .containsIgnoringCase("torn tail")
        .contains(segment.getFileName().toString());
    assertEveryAckedWriteSurvived(load, restarted);
    assertWritable(restarted);
  }

  private static void append(Path file, byte[] bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.APPEND)) {
      channel.write(ByteBuffer.wrap(bytes));
      channel.force(true);
    }
  }

  private void assertWritable(KvProcess node) throws IOException, InterruptedException {
    HttpResponse<String> put =
        client.send(
            HttpRequest.newBuilder(node.uri("/v1/kv/after-recovery"))
                .PUT(HttpRequest.BodyPublishers.ofString("fine"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
  }
}
