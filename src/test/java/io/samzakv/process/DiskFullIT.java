package io.samzakv.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.samzakv.testing.Tmpfs;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node whose data dir is a 20 MB tmpfs, written until the disk is full: writes answer 507 {@code
 * no_space} in bounded time and none of them is applied, reads go on, {@code /health} says DEGRADED
 * with the alarm, writes resume by themselves once the file system grows, SIGTERM still stops the
 * node, and after a {@code kill -9} every acknowledged write is there. Mounting needs root;
 * elsewhere the tests are skipped.
 */
class DiskFullIT {
  private static final int WRITERS = 4;

  /** Every request gets an answer within this, or the node is wedged. */
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final HttpClient client = WriteLoad.newClient();
  private final List<KvProcess> started = new ArrayList<>();
  private final AtomicInteger keys = new AtomicInteger();
  private Tmpfs tmpfs;
  private Path mount;

  @BeforeEach
  void mountSmallTmpfs() throws Exception {
    tmpfs = Tmpfs.mountOrSkip(dir.resolve("mnt"), "size=20m");
    mount = tmpfs.path();
  }

  @AfterEach
  void stopNodesAndUnmount() throws Exception {
    started.forEach(KvProcess::close);
    if (tmpfs != null) {
      tmpfs.close();
    }
  }

  private Map<String, String> env() {
    Map<String, String> env = KvProcess.env(mount.resolve("data"));
    env.put("KV_FSYNC", "always");
    env.put("KV_SEGMENT_BYTES", "1048576");
    env.put("KV_LMDB_INITIAL_MAP_BYTES", "1048576");
    return env;
  }

  private KvProcess start(Map<String, String> env) {
    KvProcess node = KvProcess.start(dir, env);
    started.add(node);
    return node.awaitReady();
  }

  /** What the writers learned: acknowledged values, and the keys answered 507. */
  private record Outcome(Map<String, byte[]> acked, Set<String> refused) {
    Outcome() {
      this(new ConcurrentHashMap<>(), ConcurrentHashMap.newKeySet());
    }
  }

  @ParameterizedTest(name = "values of {0} bytes")
  @ValueSource(ints = {64, 4096})
  void writesAnswer507UntilSpaceIsFreedAndNoAcknowledgedWriteIsLost(int valueBytes)
      throws Exception {
    Map<String, String> env = env();
    KvProcess node = start(env);
    Outcome outcome = new Outcome();

    writeUntilRefused(node, valueBytes, outcome, 50);
    fillTheRestOfTheDisk(node);
    writeUntilRefused(node, valueBytes, outcome, outcome.refused().size() + 1);

    String someAcked = outcome.acked().keySet().iterator().next();
    assertThat(get(node, someAcked).body())
        .as("reads go on")
        .isEqualTo(outcome.acked().get(someAcked));
    HttpResponse<String> health = text(node, "/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(health.body()).getString("status")).isEqualTo("DEGRADED");
    assertThat(health.body()).contains("no_space");

    Files.delete(mount.resolve("ballast"));
    tmpfs.remount("size=64m");
    await("writes resume without a restart")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> put(node, "after-space-" + System.nanoTime(), new byte[10]).statusCode() == 201);
    await("the alarm clears")
        .atMost(Duration.ofSeconds(30))
        .until(() -> !text(node, "/health").body().contains("no_space"));
    byte[] value = value(valueBytes);
    assertThat(put(node, "resumed", value).statusCode()).isEqualTo(201);
    outcome.acked().put("resumed", value);

    node.kill();
    KvProcess restarted = start(env);

    assertHoldsExactlyTheAcknowledged(restarted, outcome);
  }

  @Test
  void sigtermWhileTheDiskIsFullStopsCleanly() throws Exception {
    KvProcess node = start(env());
    writeUntilRefused(node, 4096, new Outcome(), 50);
    fillTheRestOfTheDisk(node);

    assertThat(node.terminate(Duration.ofSeconds(60))).as(node.describe()).isZero();
  }

  /**
   * Once the checkpointer has deleted the op-log segments it can, fills what is left of the tmpfs
   * with a file, as another process filling the disk would: from then on nothing frees space by
   * itself.
   */
  private void fillTheRestOfTheDisk(KvProcess node) throws IOException {
    Path oplog = mount.resolve("data").resolve("oplog");
    await("the checkpointer deleted the sealed op-log segments")
        .atMost(Duration.ofSeconds(30))
        .until(() -> logSegments(oplog) == 1);
    try (FileChannel ballast =
        FileChannel.open(
            mount.resolve("ballast"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer chunk = ByteBuffer.allocate(4096);
      while (true) {
        ballast.write(chunk.clear());
      }
    } catch (IOException full) {
      System.out.println("ballast filled the disk: " + full.getMessage());
    }
    assertThat(node.isAlive()).as(node.describe()).isTrue();
  }

  private static long logSegments(Path oplog) throws IOException {
    try (Stream<Path> files = Files.list(oplog)) {
      return files.filter(file -> file.toString().endsWith(".log")).count();
    }
  }

  /**
   * Writers put new keys until {@code refusals} writes in all were answered 507; each key is
   * written once, so a refused key must stay absent.
   */
  private void writeUntilRefused(KvProcess node, int valueBytes, Outcome outcome, int refusals)
      throws InterruptedException {
    Map<String, byte[]> acked = outcome.acked();
    Set<String> refused = outcome.refused();
    List<String> unexpected = new ArrayList<>();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      Thread writer =
          new Thread(
              () -> {
                while (refused.size() < refusals) {
                  String key = "k" + keys.incrementAndGet();
                  byte[] value = value(valueBytes);
                  try {
                    HttpResponse<byte[]> response = put(node, key, value);
                    switch (response.statusCode()) {
                      case 201 -> acked.put(key, value);
                      case 507 -> refused.add(key);
                      default -> {}
                    }
                    String body = new String(response.body(), StandardCharsets.UTF_8);
                    boolean noSpace =
                        response.statusCode() == 507
                            && "no_space".equals(new JsonObject(body).getString("error"));
                    if (response.statusCode() != 201 && !noSpace) {
                      synchronized (unexpected) {
                        unexpected.add(key + ": " + response.statusCode() + " " + body);
                      }
                    }
                  } catch (IOException e) {
                    synchronized (unexpected) {
                      unexpected.add(key + ": " + e);
                    }
                  } catch (InterruptedException e) {
                    return;
                  }
                  if (!node.isAlive()) {
                    return;
                  }
                }
              },
              "disk-filler-" + w);
      writers.add(writer);
      writer.start();
    }
    for (Thread writer : writers) {
      writer.join(TimeUnit.MINUTES.toMillis(5));
    }
    System.out.printf(
        "disk full after %d acknowledged writes of %d bytes; %d refused with 507%n",
        acked.size(), valueBytes, refused.size());
    assertThat(writers).as("writers finished").noneMatch(Thread::isAlive);
    assertThat(node.isAlive()).as(node.describe()).isTrue();
    assertThat(unexpected).as(node.describe()).isEmpty();
    assertThat(refused).as("writes refused for space").isNotEmpty();
    assertThat(acked).as("writes before the disk filled").isNotEmpty();
  }

  private void assertHoldsExactlyTheAcknowledged(KvProcess node, Outcome outcome) throws Exception {
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, byte[]> entry : outcome.acked().entrySet()) {
      HttpResponse<byte[]> response = get(node, entry.getKey());
      if (response.statusCode() != 200 || !Arrays.equals(response.body(), entry.getValue())) {
        wrong.add(entry.getKey() + ": acknowledged, found " + response.statusCode());
      }
    }
    for (String key : outcome.refused()) {
      int status = get(node, key).statusCode();
      if (status != 404) {
        wrong.add(key + ": answered 507, found " + status);
      }
    }
    assertThat(wrong).as(node.describe()).isEmpty();
  }

  private static byte[] value(int bytes) {
    byte[] value = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(value);
    return value;
  }

  private HttpResponse<byte[]> put(KvProcess node, String key, byte[] value)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(node.uri("/v1/kv/" + key))
            .timeout(ANSWER_WITHIN)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(value))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> get(KvProcess node, String key)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(node.uri("/v1/kv/" + key)).timeout(ANSWER_WITHIN).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<String> text(KvProcess node, String path)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(node.uri(path)).timeout(ANSWER_WITHIN).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
