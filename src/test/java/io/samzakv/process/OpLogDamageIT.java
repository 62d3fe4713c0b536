package io.samzakv.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 4 against the real jar: op-log damage whose records LMDB already holds does not
 * block start (it is skipped, logged and moved aside); damage that held acknowledged writes LMDB
 * lacks stops start with one line naming file and offset, and {@code samza-kv repair} cuts the log
 * there, lists exactly what is lost, and lets the next start serve the rest.
 */
class OpLogDamageIT {
  private static final Duration NO_HANG = Duration.ofSeconds(60);

  @TempDir Path dir;

  @RegisterExtension final NodeProcesses nodes = new NodeProcesses();
  private final HttpClient client = WriteLoad.newClient();

  private Map<String, String> env() {
    Map<String, String> env = KvProcess.env(dir.resolve("data"));
    env.put("KV_FSYNC", "always");
    return env;
  }

  @Test
  void fourBytesFlippedMidSegmentAfterACleanStopAreSkippedAndEveryKeyIsServed() throws Exception {
    Map<String, String> env = env();
    KvProcess node = nodes.start(dir, env).awaitReady();
    putKeys(node, 0, 50);
    assertThat(node.terminate(NO_HANG)).as(node.describe()).isZero();

    Path segment = KvProcess.newestSegment(dir.resolve("data"));
    long damagedAt = frameOffset(segment, 24); // the record of k24, mid-segment
    flipFourBytes(segment, damagedAt + 30);

    KvProcess restarted = nodes.start(dir, env).awaitReady();

    for (int i = 0; i < 50; i++) {
      assertThat(WriteLoad.get(client, restarted, "k" + i))
          .isEqualTo(new WriteLoad.Stored(value(i), 1));
    }
    assertThat(restarted.stdout())
        .as(restarted.describe())
        .contains(segment.getFileName() + " is damaged at byte offset " + damagedAt)
        .contains("position 25, which the store has already applied")
        .contains(segment.getFileName() + ".damaged");
    assertThat(segment.resolveSibling(segment.getFileName() + ".damaged")).exists();
    putKeys(restarted, 50, 51);
    assertThat(restarted.terminate(NO_HANG)).as(restarted.describe()).isZero();

    KvProcess again = nodes.start(dir, env).awaitReady();
    assertThat(again.stdout()).as("the damage was dealt with once").doesNotContain("damaged at");
    assertThat(WriteLoad.get(client, again, "k50")).isEqualTo(new WriteLoad.Stored(value(50), 1));
  }

  @Test
  void damagePastTheStoreStopsStartAndRepairListsWhatIsLost() throws Exception {
    Map<String, String> env = env();
    KvProcess first = nodes.start(dir, env).awaitReady();
    putKeys(first, 0, 50); // positions 1-50
    KvProcess beside = nodes.start(dir, env, "repair");
    assertThat(beside.awaitExit(NO_HANG)).as(beside.describe()).isEqualTo(2);
    assertThat(beside.stderrLines()).singleElement().asString().contains("KV_DATA_DIR", "in use");
    assertThat(first.terminate(NO_HANG)).as(first.describe()).isZero();
    // LMDB as it was at position 50, as after restoring a backup of it or losing its unsynced
    // pages.
    Path lmdb = dir.resolve("data").resolve("lmdb");
    Path older = dir.resolve("lmdb-at-50");
    copyDirectory(lmdb, older);

    KvProcess second = nodes.start(dir, env).awaitReady();
    putKeys(second, 50, 100); // positions 51-100, acknowledged
    second.kill();
    deleteDirectory(lmdb);
    copyDirectory(older, lmdb);
    Path segment = KvProcess.newestSegment(dir.resolve("data"));
    long damagedAt = frameOffset(segment, 74); // position 75, k74: past the store's 50
    flipFourBytes(segment, damagedAt + 30);

    KvProcess refused = nodes.start(dir, env);
    assertThat(refused.awaitExit(NO_HANG)).as(refused.describe()).isEqualTo(2);
    assertThat(refused.stderrLines())
        .as(refused.describe())
        .singleElement()
        .asString()
        .contains(segment.toString(), "offset " + damagedAt, "samza-kv repair");

    KvProcess repair = nodes.start(dir, env, "repair");
    assertThat(repair.awaitExit(NO_HANG)).as(repair.describe()).isZero();
    List<String> lost =
        repair.stdout().lines().filter(line -> line.startsWith("  position ")).toList();
    assertThat(lost)
        .as(repair.describe())
        .hasSize(25)
        .allSatisfy(line -> assertThat(line).contains(" PUT key \"k"));
    assertThat(lost.get(0)).startsWith("  position 76 ").endsWith("key \"k75\"");
    assertThat(lost.get(24)).startsWith("  position 100 ").endsWith("key \"k99\"");
    assertThat(repair.stdout())
        .contains(
            "bytes unreadable at offset "
                + damagedAt
                + " of "
                + segment.getFileName()
                + " (position 75)");

    KvProcess repaired = nodes.start(dir, env).awaitReady();
    for (int i = 0; i < 74; i++) {
      assertThat(WriteLoad.get(client, repaired, "k" + i))
          .as("k%d, in the store or replayed", i)
          .isEqualTo(new WriteLoad.Stored(value(i), 1));
    }
    for (int i = 74; i < 100; i++) {
      assertThat(WriteLoad.get(client, repaired, "k" + i)).as("k%d, listed as lost", i).isNull();
    }
    putKeys(repaired, 100, 101);
  }

  private void putKeys(KvProcess node, int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      HttpResponse<String> put =
          client.send(
              HttpRequest.newBuilder(node.uri("/v1/kv/k" + i))
                  .PUT(HttpRequest.BodyPublishers.ofString(value(i)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    }
  }

  private static String value(int i) {
    return "value-" + i + "-".repeat(100);
  }

  /** The byte offset of the frame with index {@code n} (0-based) in a segment. */
  private static long frameOffset(Path segment, int n) throws IOException {
    ByteBuffer frames = ByteBuffer.wrap(Files.readAllBytes(segment));
    int at = 0;
    for (int i = 0; i < n; i++) {
      at += 8 + frames.getInt(at);
    }
    assertThat(frames.getInt(at)).as("a frame at %d", at).isPositive();
    return at;
  }

  private static void flipFourBytes(Path file, long at) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      byte[] bytes = new byte[4];
      raf.seek(at);
      raf.readFully(bytes);
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] ^= (byte) 0xA5;
      }
      raf.seek(at);
      raf.write(bytes);
    }
  }

  private static void copyDirectory(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()));
      }
    }
  }

  private static void deleteDirectory(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
    Files.delete(dir);
  }
}
