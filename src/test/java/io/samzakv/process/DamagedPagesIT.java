package io.samzakv.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 3 against the real jar: bit rot in a few B-tree leaf pages of {@code data.mdb}
 * (their 16 header bytes inverted while the node is stopped) is never served as absence. Every
 * acknowledged key answers its value or 503 {@code partition_corrupt}; scans answer 503 rather than
 * skip; the admin scrub and {@code /health} name the damage; a PUT into a damaged partition is
 * refused and the process lives on. An undamaged store scrubs clean.
 */
class DamagedPagesIT {
  private static final int KEYS = 10_000;
  private static final int PAGE = 4096;
  private static final String PREFIX = "key-";

  /** LMDB 0.9's page header: pgno (8), pad (2), flags (2), lower (2), upper (2). */
  private static final int FLAGS_OFFSET = 10;

  private static final int LOWER_OFFSET = 12;
  private static final int HEADER = 16;
  private static final int P_BRANCH = 0x01;
  private static final int P_LEAF = 0x02;
  private static final int P_OVERFLOW = 0x04;
  private static final int P_META = 0x08;

  /** A leaf node's header before its key: lo (2), hi (2), flags (2), ksize (2). */
  private static final int NODE_HEADER = 8;

  @TempDir Path dir;
  @RegisterExtension final NodeProcesses nodes = new NodeProcesses();
  private final HttpClient client = WriteLoad.newClient();

  @Test
  void damagedLeafPagesAreAnswered503NeverAsAbsence() throws Exception {
    Map<String, String> env = KvProcess.env(dir.resolve("data"));
    // Segments small enough that the first is deleted at the stop's checkpoint: the log no
    // longer reaches back to position 1, so it cannot rebuild the damage.
    env.put("KV_SEGMENT_BYTES", "1048576");
    // Uncompressed, the 10,000 writes fill more than one segment.
    env.put("KV_COMPRESSION", "none");
    KvProcess node = nodes.start(dir, env).awaitReady();
    writeKeys(node);
    assertThat(node.terminate(Duration.ofSeconds(60))).as("exit after SIGTERM").isZero();

    List<Integer> damaged = invertHeadersOfDataLeafPages(4);
    System.out.println("inverted the headers of leaf pages " + damaged);

    KvProcess restarted = nodes.start(dir, env).awaitReady();
    restarted
        .stdout()
        .lines()
        .filter(line -> line.contains("scrub") || line.contains("damaged"))
        .forEach(line -> System.out.println("node: " + line));

    List<String> unavailable = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      String key = key(i);
      HttpResponse<byte[]> got = send(restarted, "GET", "/v1/kv/" + key, null);
      if (got.statusCode() == 200) {
        assertThat(new String(got.body(), StandardCharsets.UTF_8)).as(key).isEqualTo(value(i));
      } else {
        assertThat(got.statusCode()).as("GET %s: %s", key, body(got)).isEqualTo(503);
        assertThat(error(got)).as(key).isEqualTo("partition_corrupt");
        assertThat(got.headers().firstValue("Retry-After")).as(key).isPresent();
        unavailable.add(key);
      }
    }
    System.out.printf("%d of %d keys answer 503 partition_corrupt%n", unavailable.size(), KEYS);
    assertThat(unavailable).as("keys in damaged partitions").isNotEmpty();
    assertThat(restarted.stdout()).contains("cannot rebuild them");

    HttpResponse<byte[]> scan = send(restarted, "GET", "/v1/kv?prefix=" + PREFIX, null);
    assertThat(scan.statusCode()).as("scan: %s", body(scan)).isEqualTo(503);
    assertThat(error(scan)).isEqualTo("partition_corrupt");

    JsonObject scrub = new JsonObject(body(send(restarted, "POST", "/v1/admin/scrub", null)));
    assertThat(scrub.getString("status")).isEqualTo("corrupt");
    assertThat(scrub.getJsonArray("corrupt_partitions")).isNotEmpty();

    JsonObject health = new JsonObject(body(send(restarted, "GET", "/health", null)));
    assertThat(health.getString("status")).isEqualTo("DEGRADED");
    JsonArray alarms = health.getJsonArray("alarms");
    assertThat(alarms.getJsonObject(0).getString("alarm")).isEqualTo("corrupt");
    assertThat(alarms.getJsonObject(0).getString("detail")).contains("data.mdb");

    String victim = unavailable.get(0);
    HttpResponse<byte[]> put = send(restarted, "PUT", "/v1/kv/" + victim, "new value");
    assertThat(put.statusCode()).as("PUT %s: %s", victim, body(put)).isEqualTo(503);
    assertThat(error(put)).isEqualTo("partition_corrupt");
    HttpResponse<byte[]> delete = send(restarted, "DELETE", "/v1/kv/" + victim, null);
    assertThat(delete.statusCode()).isEqualTo(503);
    assertThat(restarted.isAlive()).isTrue();
    assertThat(restarted.status("/health")).isEqualTo(200);
    assertThat(body(send(restarted, "GET", "/metrics", null)))
        .containsPattern("(?m)^kv_partitions_corrupt [1-9]");
  }

  @Test
  void damageIsRebuiltFromTheOpLogWhileItReachesBackToTheFirstWrite() throws Exception {
    Map<String, String> env = KvProcess.env(dir.resolve("data"));
    KvProcess node = nodes.start(dir, env).awaitReady();
    writeKeys(node);
    assertThat(node.terminate(Duration.ofSeconds(60))).isZero();
    invertHeadersOfDataLeafPages(4);

    KvProcess restarted = nodes.start(dir, env).awaitReady();

    assertThat(restarted.stdout()).contains("rebuilt from the op log");
    for (int i = 0; i < KEYS; i++) {
      HttpResponse<byte[]> got = send(restarted, "GET", "/v1/kv/" + key(i), null);
      assertThat(got.statusCode()).as("GET %s: %s", key(i), body(got)).isEqualTo(200);
      assertThat(body(got)).isEqualTo(value(i));
    }
    JsonObject scrub = new JsonObject(body(send(restarted, "POST", "/v1/admin/scrub", null)));
    assertThat(scrub.getString("status")).isEqualTo("clean");
    assertThat(new JsonObject(body(send(restarted, "GET", "/health", null))).getString("status"))
        .isEqualTo("UP");
    HttpResponse<byte[]> put = send(restarted, "PUT", "/v1/kv/" + key(7), "after the rebuild");
    assertThat(put.statusCode()).isEqualTo(200);

    assertThat(restarted.terminate(Duration.ofSeconds(60))).isZero();
    KvProcess again = nodes.start(dir, env).awaitReady();
    assertThat(body(send(again, "GET", "/v1/kv/" + key(7), null))).isEqualTo("after the rebuild");
    assertThat(
            new JsonObject(body(send(again, "POST", "/v1/admin/scrub", null))).getString("status"))
        .isEqualTo("clean");
  }

  @Test
  void anUndamagedStoreScrubsCleanAndStartsNormally() throws Exception {
    Map<String, String> env = KvProcess.env(dir.resolve("data"));
    KvProcess node = nodes.start(dir, env).awaitReady();
    writeKeys(node);
    assertThat(node.terminate(Duration.ofSeconds(60))).isZero();

    KvProcess restarted = nodes.start(dir, env).awaitReady();

    JsonObject scrub = new JsonObject(body(send(restarted, "POST", "/v1/admin/scrub", null)));
    assertThat(scrub.getString("status")).isEqualTo("clean");
    long entries = 0;
    for (Object partition : scrub.getJsonArray("partitions")) {
      JsonObject check = (JsonObject) partition;
      assertThat(check.getBoolean("intact")).as(check.encode()).isTrue();
      entries += check.getLong("entries");
    }
    assertThat(entries).isEqualTo(KEYS);
    assertThat(new JsonObject(body(send(restarted, "GET", "/health", null))).getString("status"))
        .isEqualTo("UP");
    assertThat(restarted.stdout()).contains("start-up scrub: 64 partitions checked");
    assertThat(body(send(restarted, "GET", "/metrics", null)))
        .containsPattern("(?m)^kv_partitions_corrupt 0")
        .containsPattern("(?m)^kv_scrub_runs_total [1-9]");
  }

  @Test
  void aDamagedCatalogRefusesStartNamingDataMdb() throws Exception {
    Map<String, String> env = KvProcess.env(dir.resolve("data"));
    KvProcess node = nodes.start(dir, env).awaitReady();
    writeKeys(node);
    assertThat(node.terminate(Duration.ofSeconds(60))).isZero();
    int root = invertHeaderOfCatalogRoot();
    System.out.println("inverted the header of the catalog's root page " + root);

    KvProcess restarted = nodes.start(dir, env);

    assertThat(restarted.awaitExit(KvProcess.READY_TIMEOUT)).as(restarted.describe()).isEqualTo(2);
    System.out.println("refused: " + restarted.stderr());
    assertThat(restarted.stderrLines())
        .as(restarted.describe())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("KV_DATA_DIR")
        .contains("data.mdb")
        .contains("damaged");
  }

  /** Writes every key through the batch API, 1000 per request, each acknowledged with 201. */
  private void writeKeys(KvProcess node) throws IOException, InterruptedException {
    for (int first = 0; first < KEYS; first += 1000) {
      JsonArray ops = new JsonArray();
      for (int i = first; i < first + 1000; i++) {
        ops.add(
            new JsonObject()
                .put("op", "put")
                .put("key", key(i))
                .put("value", Base64.getEncoder().encodeToString(value(i).getBytes())));
      }
      HttpResponse<byte[]> response =
          send(node, "POST", "/v1/batch", new JsonObject().put("ops", ops).encode());
      assertThat(response.statusCode()).isEqualTo(200);
      for (Object result : new JsonObject(body(response)).getJsonArray("results")) {
        assertThat(((JsonObject) result).getInteger("status")).isEqualTo(201);
      }
    }
  }

  /**
   * Inverts the header of {@code count} leaf pages that hold this test's keys, spread over the
   * file, as bit rot would; returns their page numbers.
   */
  private List<Integer> invertHeadersOfDataLeafPages(int count) throws IOException {
    Path file = dir.resolve("data").resolve("lmdb").resolve("data.mdb");
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      List<Integer> candidates = new ArrayList<>();
      ByteBuffer page = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);
      long pages = channel.size() / PAGE;
      for (int pgno = 2; pgno < pages; pgno++) {
        page.clear();
        if (channel.read(page, (long) pgno * PAGE) < PAGE) {
          break;
        }
        if (isLeafHoldingTestKeys(page)) {
          candidates.add(pgno);
        }
      }
      assertThat(candidates).as("leaf pages with test keys").hasSizeGreaterThan(2 * count);
      List<Integer> chosen = new ArrayList<>();
      for (int n = 1; n <= count; n++) {
        chosen.add(candidates.get(n * candidates.size() / (count + 1)));
      }
      for (int pgno : chosen) {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        channel.read(header, (long) pgno * PAGE);
        byte[] bytes = header.array();
        for (int i = 0; i < HEADER; i++) {
          bytes[i] = (byte) ~bytes[i];
        }
        channel.write(ByteBuffer.wrap(bytes), (long) pgno * PAGE);
      }
      channel.force(true);
      return chosen;
    }
  }

  /**
   * Inverts the header of the root page of LMDB's main database, the catalog that maps database
   * names to their roots; returns its page number. The root is found in the newer of the two meta
   * pages: after the page header, magic (4), version (4), address (8), map size (8), then the free
   * and main databases' records (48 bytes each, the root last), the last page and the txn id.
   */
  private int invertHeaderOfCatalogRoot() throws IOException {
    Path file = dir.resolve("data").resolve("lmdb").resolve("data.mdb");
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long newestTxn = -1;
      long root = -1;
      for (int meta = 0; meta < 2; meta++) {
        ByteBuffer page = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(page, (long) meta * PAGE);
        int mainDb = HEADER + 24 + 48;
        long txn = page.getLong(mainDb + 48 + 8);
        if (txn > newestTxn) {
          newestTxn = txn;
          root = page.getLong(mainDb + 40);
        }
      }
      ByteBuffer header = ByteBuffer.allocate(HEADER);
      channel.read(header, root * PAGE);
      byte[] bytes = header.array();
      for (int i = 0; i < HEADER; i++) {
        bytes[i] = (byte) ~bytes[i];
      }
      channel.write(ByteBuffer.wrap(bytes), root * PAGE);
      channel.force(true);
      return (int) root;
    }
  }

  private static boolean isLeafHoldingTestKeys(ByteBuffer page) {
    int flags = page.getShort(FLAGS_OFFSET) & 0xffff;
    if ((flags & P_LEAF) == 0 || (flags & (P_BRANCH | P_OVERFLOW | P_META)) != 0) {
      return false;
    }
    int lower = page.getShort(LOWER_OFFSET) & 0xffff;
    if (lower <= HEADER || lower >= PAGE) {
      return false;
    }
    int node = page.getShort(HEADER) & 0xffff;
    if (node < HEADER || node + NODE_HEADER + PREFIX.length() > PAGE) {
      return false;
    }
    int keySize = page.getShort(node + 6) & 0xffff;
    byte[] key = new byte[Math.min(keySize, PREFIX.length())];
    page.get(node + NODE_HEADER, key);
    return new String(key, StandardCharsets.UTF_8).equals(PREFIX);
  }

  private HttpResponse<byte[]> send(KvProcess node, String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(node.uri(path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  private static String error(HttpResponse<byte[]> response) {
    return new JsonObject(body(response)).getString("error");
  }

  private static String key(int i) {
    return String.format(PREFIX + "%05d", i);
  }

  /** 100 bytes, different for every key. */
  private static String value(int i) {
    return String.format("%05d", i) + "v".repeat(95);
  }
}
