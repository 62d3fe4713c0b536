package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.samzakv.api.Limits;
import io.samzakv.api.bus.KvClient;
import io.samzakv.lock.LockService;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /v1/locks/{name}}: leased locks with strictly growing fencing tokens. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LockHttpTest {
  @RegisterExtension static final HttpNode node = new HttpNode(Map.of("KV_FSYNC", "never"));

  private static HttpResponse<byte[]> acquire(String name, long ttlMs, long waitMs) {
    return node.http()
        .post(
            "/v1/locks/" + name,
            new JsonObject().put("ttl_ms", ttlMs).put("wait_ms", waitMs).encode());
  }

  private static long acquired(HttpResponse<byte[]> response, String name) {
    assertThat(response.statusCode()).as(KvHttp.text(response)).isEqualTo(200);
    JsonObject body = KvHttp.json(response);
    assertThat(body.getString("name")).isEqualTo(name);
    assertThat(body.getValue("token")).isInstanceOf(Number.class);
    return body.getLong("token");
  }

  private static HttpResponse<byte[]> release(String name, String token) {
    return node.http().send("DELETE", "/v1/locks/" + name + "?token=" + token, null);
  }

  private static void assertError(HttpResponse<byte[]> response, int status) {
    assertThat(response.statusCode()).as(KvHttp.text(response)).isEqualTo(status);
    assertThat(KvHttp.json(response).getString("error")).isNotBlank();
    assertThat(KvHttp.json(response).getString("message")).isNotBlank();
  }

  @Test
  void acquireAnswersTheNameAndAFencingToken() {
    long token = acquired(acquire("lock-basic", 10_000, 0), "lock-basic");

    assertThat(token).isPositive();
  }

  @Test
  void secondAcquireWithoutWaitingIs409() {
    acquired(acquire("lock-held", 10_000, 0), "lock-held");

    assertError(acquire("lock-held", 10_000, 0), 409);
  }

  @Test
  void secondAcquireWaitingShorterThanTheLeaseIs409AfterWaiting() {
    acquired(acquire("lock-short-wait", 10_000, 0), "lock-short-wait");
    long started = System.nanoTime();

    assertError(acquire("lock-short-wait", 10_000, 300), 409);
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(250));
  }

  @Test
  void releaseWithAWrongTokenIs409AndKeepsTheLockHeld() {
    long token = acquired(acquire("lock-wrong", 10_000, 0), "lock-wrong");

    assertError(release("lock-wrong", Long.toString(token + 1)), 409);
    assertError(release("lock-wrong", "0"), 409);
    assertError(acquire("lock-wrong", 10_000, 0), 409);
  }

  @Test
  void releaseOfAFreeLockIs409() {
    assertError(release("lock-never-taken", "12345"), 409);
  }

  @Test
  void releaseWithTheRightTokenFreesItAndTheNextTokenIsLarger() {
    long first = acquired(acquire("lock-cycle", 10_000, 0), "lock-cycle");

    HttpResponse<byte[]> released = release("lock-cycle", Long.toString(first));
    long second = acquired(acquire("lock-cycle", 10_000, 0), "lock-cycle");

    assertThat(released.statusCode()).isEqualTo(200);
    assertThat(second).isGreaterThan(first);
    assertError(release("lock-cycle", Long.toString(first)), 409);
    assertThat(release("lock-cycle", Long.toString(second)).statusCode()).isEqualTo(200);
  }

  @Test
  void tokensGrowStrictlyOverManyHolders() {
    long last = 0;
    for (int i = 0; i < 20; i++) {
      long token = acquired(acquire("lock-many", 10_000, 0), "lock-many");
      assertThat(token).isGreaterThan(last);
      assertThat(release("lock-many", Long.toString(token)).statusCode()).isEqualTo(200);
      last = token;
    }
  }

  @Test
  void anExpiredLeaseLetsAnotherAcquire() {
    long first = acquired(acquire("lock-ttl", 300, 0), "lock-ttl");
    assertError(acquire("lock-ttl", 10_000, 0), 409);

    long[] next = new long[1];
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              HttpResponse<byte[]> attempt = acquire("lock-ttl", 10_000, 0);
              if (attempt.statusCode() == 200) {
                next[0] = KvHttp.json(attempt).getLong("token");
                return true;
              }
              assertThat(attempt.statusCode()).isEqualTo(409);
              return false;
            });

    assertThat(next[0]).isGreaterThan(first);
    assertError(release("lock-ttl", Long.toString(first)), 409);
  }

  @Test
  void waitingLongerThanTheLeaseAcquiresOnceItRunsOut() {
    long first = acquired(acquire("lock-wait", 300, 0), "lock-wait");

    // The longest wait there is: a waiter served only at its end would outlast the client's
    // timeout, so an answer at all means it got the lock when the lease ran out.
    long second = acquired(acquire("lock-wait", 10_000, Limits.LOCK_MAX_WAIT_MS), "lock-wait");

    assertThat(second).isGreaterThan(first);
  }

  @Test
  void aWaiterAcquiresAsSoonAsTheHolderReleases() throws Exception {
    long first = acquired(acquire("lock-handoff", 10_000, 0), "lock-handoff");
    var waiter =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> acquire("lock-handoff", 10_000, 5_000));
    Thread.yield();

    assertThat(release("lock-handoff", Long.toString(first)).statusCode()).isEqualTo(200);

    assertThat(acquired(waiter.get(10, TimeUnit.SECONDS), "lock-handoff")).isGreaterThan(first);
  }

  @Test
  void emptyBodyUsesTheDefaults() {
    HttpResponse<byte[]> response = node.http().send("POST", "/v1/locks/lock-defaults", null);

    acquired(response, "lock-defaults");
  }

  @Test
  void encodedLockNamesAreDecoded() {
    HttpResponse<byte[]> response =
        node.http()
            .post("/v1/locks/jobs%2Fnightly%20run", new JsonObject().put("ttl_ms", 1000).encode());

    acquired(response, "jobs/nightly run");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"ttl_ms\": -1}",
        "{\"ttl_ms\": 0}",
        "{\"ttl_ms\": \"abc\"}",
        "{\"ttl_ms\": 1.5}",
        "{\"ttl_ms\": 100000000000}",
        "{\"wait_ms\": -1}",
        "{\"wait_ms\": \"10\"}",
        "{\"wait_ms\": 3600000}",
        "{\"ttl_ms\": true}",
        "not json",
        "[1000]",
        "{\"ttl_ms\": 1000",
        "42"
      })
  void badAcquireBodyIs400(String body) {
    assertError(node.http().post("/v1/locks/lock-bad-body", body), 400);

    // The refused request took nothing: the lock is still free.
    long token = acquired(acquire("lock-bad-body", 10_000, 0), "lock-bad-body");
    assertThat(release("lock-bad-body", Long.toString(token)).statusCode()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "?token=",
        "?token=abc",
        "?token=1.5",
        "?other=1",
        "?token=99999999999999999999"
      })
  void releaseWithoutAValidTokenIs400(String query) {
    long token = acquired(acquire("lock-bad-release", 10_000, 0), "lock-bad-release");

    assertError(node.http().send("DELETE", "/v1/locks/lock-bad-release" + query, null), 400);

    assertThat(release("lock-bad-release", Long.toString(token)).statusCode()).isEqualTo(200);
  }

  @Test
  void ofConcurrentAcquirersExactlyOneWinsEachRound() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 10; round++) {
        List<Future<HttpResponse<byte[]>>> attempts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          attempts.add(clients.submit(() -> acquire("lock-contended", 10_000, 0)));
        }
        List<HttpResponse<byte[]>> answers = new ArrayList<>();
        for (Future<HttpResponse<byte[]>> attempt : attempts) {
          answers.add(attempt.get(20, TimeUnit.SECONDS));
        }

        List<Integer> statuses = answers.stream().map(HttpResponse::statusCode).toList();
        assertThat(statuses).as("round %d", round).containsOnly(200, 409).containsOnlyOnce(200);
        HttpResponse<byte[]> winner =
            answers.stream().filter(answer -> answer.statusCode() == 200).findFirst().orElseThrow();
        long token = acquired(winner, "lock-contended");
        assertThat(release("lock-contended", Long.toString(token)).statusCode()).isEqualTo(200);
      }
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void scansNeverShowLockRecords() throws Exception {
    acquired(acquire("lock-hidden", 10_000, 0), "lock-hidden");
    assertThat(node.http().put("lock/hidden", "user".getBytes(StandardCharsets.UTF_8)).statusCode())
        .isEqualTo(201);

    for (String query :
        List.of("", "?start=", "?end=lock0", "?prefix=lock", "?start=&end=z", "?limit=1")) {
      HttpResponse<byte[]> page = node.http().send("GET", "/v1/kv" + query, null);
      assertThat(page.statusCode()).as(query).isEqualTo(200);
      List<String> keys = keysOf(KvHttp.json(page));
      assertThat(keys).as(query).noneMatch(key -> key.indexOf('\u0000') >= 0);
      assertThat(keys).as(query).contains("lock/hidden");
    }
    assertThat(node.http().snapshot().keySet()).noneMatch(key -> key.startsWith("\u0000"));
    JsonObject viaBus =
        new KvClient(node.node().vertx())
            .scan(new JsonObject())
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertThat(keysOf(viaBus)).contains("lock/hidden").noneMatch(key -> key.startsWith("\u0000"));
  }

  private static List<String> keysOf(JsonObject page) {
    return page.getJsonArray("items").stream()
        .map(item -> ((JsonObject) item).getString("key"))
        .toList();
  }

  @Test
  void lockNamesMayBeAsLongAsTheirReservedKeyAllows() {
    String longest = "n".repeat(LockService.MAX_NAME_BYTES);

    long token = acquired(acquire(longest, 10_000, 0), longest);

    assertThat(release(longest, Long.toString(token)).statusCode()).isEqualTo(200);
    assertError(acquire(longest + "n", 10_000, 0), 400);
  }

  @Test
  void emptyLockNameIs400() {
    assertError(acquire("", 1000, 0), 400);
    assertError(release("", "1"), 400);
  }
}
