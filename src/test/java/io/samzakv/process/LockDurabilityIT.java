package io.samzakv.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 5 against the real jar: a lock is a record of the store, so a lock held before a
 * {@code kill -9} is still held after the restart (409 for others), its holder can still release it
 * with its token, tokens keep growing, and a short lease still runs out.
 */
class LockDurabilityIT {
  private static final Pattern LOCKS_HELD =
      Pattern.compile("^kv_locks_held(?:\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

  @TempDir Path dir;

  @RegisterExtension final NodeProcesses nodes = new NodeProcesses();
  private final HttpClient client = WriteLoad.newClient();

  @Test
  void aLockHeldBeforeKill9IsStillHeldAfterRestartAndReleasesWithItsToken() throws Exception {
    Map<String, String> env = KvProcess.env(dir.resolve("data"));
    KvProcess node = nodes.start(dir, env).awaitReady();
    long nightly = token(acquire(node, "nightly", 600_000, 0));
    long brief = token(acquire(node, "brief", 5_000, 0));

    node.kill();
    KvProcess restarted = nodes.start(dir, env).awaitReady();

    HttpResponse<String> other = acquire(restarted, "nightly", 600_000, 0);
    assertThat(other.statusCode()).as(other.body()).isEqualTo(409);
    assertThat(release(restarted, "nightly", nightly + 1).statusCode()).isEqualTo(409);
    assertThat(release(restarted, "nightly", nightly).statusCode()).isEqualTo(200);
    long next = token(acquire(restarted, "nightly", 600_000, 0));
    assertThat(next).isGreaterThan(nightly);

    // The short lease ran out (or runs out while this waits) on the restarted node's clock.
    long afterBrief = token(acquire(restarted, "brief", 600_000, 30_000));
    assertThat(afterBrief).isGreaterThan(brief);
    assertThat(release(restarted, "brief", brief).statusCode()).isEqualTo(409);
    assertThat(release(restarted, "brief", afterBrief).statusCode()).isEqualTo(200);

    awaitLocksHeld(restarted, 1);
    assertThat(release(restarted, "nightly", next).statusCode()).isEqualTo(200);
    awaitLocksHeld(restarted, 0);
  }

  private HttpResponse<String> acquire(KvProcess node, String name, long ttlMs, long waitMs)
      throws IOException, InterruptedException {
    String body = new JsonObject().put("ttl_ms", ttlMs).put("wait_ms", waitMs).encode();
    return client.send(
        HttpRequest.newBuilder(node.uri("/v1/locks/" + name))
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> release(KvProcess node, String name, long token)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(node.uri("/v1/locks/" + name + "?token=" + token))
            .timeout(Duration.ofSeconds(10))
            .DELETE()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long token(HttpResponse<String> acquired) {
    assertThat(acquired.statusCode()).as(acquired.body()).isEqualTo(200);
    return new JsonObject(acquired.body()).getLong("token");
  }

  /** The gauge is refreshed every few seconds from the lock records; wait for it to agree. */
  private void awaitLocksHeld(KvProcess node, long expected) {
    await("kv_locks_held " + expected)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> locksHeld(node) == expected);
  }

  private double locksHeld(KvProcess node) throws IOException, InterruptedException {
    String metrics =
        client
            .send(
                HttpRequest.newBuilder(node.uri("/metrics"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher found = LOCKS_HELD.matcher(metrics);
    return found.find() ? Double.parseDouble(found.group(1)) : Double.NaN;
  }
}
