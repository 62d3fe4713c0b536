package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** If-Match / If-None-Match on PUT and DELETE, and that compare-and-set never loses an update. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConditionalWriteHttpTest {
  @RegisterExtension static final HttpNode node = new HttpNode(Map.of("KV_FSYNC", "never"));

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void assertVersionMismatch(HttpResponse<byte[]> response, long current) {
    assertThat(response.statusCode()).isEqualTo(412);
    JsonObject error = KvHttp.json(response);
    assertThat(error.getString("error")).isEqualTo("version_mismatch");
    assertThat(error.getLong("current_version")).isEqualTo(current);
    assertThat(error.getString("message")).isNotBlank();
  }

  @Test
  void ifMatchWithTheCurrentVersionWrites() {
    node.http().put("cas/match", utf8("a"));
    node.http().put("cas/match", utf8("b"));

    HttpResponse<byte[]> put = node.http().put("cas/match", utf8("c"), "If-Match", "\"2\"");

    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(KvHttp.json(put).getLong("version")).isEqualTo(3);
    assertThat(put.headers().firstValue("ETag")).hasValue("\"3\"");
    assertThat(node.http().get("cas/match").body()).isEqualTo(utf8("c"));
  }

  @Test
  void ifMatchWithAnOtherVersionIs412WithTheCurrentVersionAndWritesNothing() {
    node.http().put("cas/mismatch", utf8("a"));
    node.http().put("cas/mismatch", utf8("b"));

    HttpResponse<byte[]> stale = node.http().put("cas/mismatch", utf8("x"), "If-Match", "\"1\"");
    HttpResponse<byte[]> ahead = node.http().put("cas/mismatch", utf8("x"), "If-Match", "\"3\"");

    assertVersionMismatch(stale, 2);
    assertVersionMismatch(ahead, 2);
    HttpResponse<byte[]> get = node.http().get("cas/mismatch");
    assertThat(get.body()).isEqualTo(utf8("b"));
    assertThat(get.headers().firstValue("ETag")).hasValue("\"2\"");
  }

  @Test
  void ifMatchOnAnAbsentKeyIs412WithCurrentVersion0() {
    assertVersionMismatch(node.http().put("cas/absent", utf8("x"), "If-Match", "\"1\""), 0);
    assertThat(node.http().get("cas/absent").statusCode()).isEqualTo(404);
  }

  @Test
  void ifMatchAcceptsTheETagAGetReturned() {
    node.http().put("cas/etag", utf8("a"));
    String etag = node.http().get("cas/etag").headers().firstValue("ETag").orElseThrow();

    assertThat(node.http().put("cas/etag", utf8("b"), "If-Match", etag).statusCode())
        .isEqualTo(200);
    assertVersionMismatch(node.http().put("cas/etag", utf8("c"), "If-Match", etag), 2);
  }

  @Test
  void ifNoneMatchStarCreatesAnAbsentKey() {
    HttpResponse<byte[]> put =
        node.http().put("cas/create-only", utf8("first"), "If-None-Match", "*");

    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(KvHttp.json(put).getLong("version")).isEqualTo(1);
  }

  @Test
  void ifNoneMatchStarOnAnExistingKeyIs412AndWritesNothing() {
    node.http().put("cas/exists", utf8("first"));
    node.http().put("cas/exists", utf8("second"));

    HttpResponse<byte[]> put = node.http().put("cas/exists", utf8("third"), "If-None-Match", "*");

    assertVersionMismatch(put, 2);
    assertThat(node.http().get("cas/exists").body()).isEqualTo(utf8("second"));
  }

  @Test
  void ifNoneMatchStarCreatesAgainAfterDelete() {
    node.http().put("cas/recreate", utf8("a"));
    node.http().delete("cas/recreate");

    HttpResponse<byte[]> put = node.http().put("cas/recreate", utf8("b"), "If-None-Match", "*");

    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(KvHttp.json(put).getLong("version")).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "3", // unquoted
        "\"abc\"",
        "\"3",
        "3\"",
        "\"\"",
        "W/\"3\"",
        "\"-1\"",
        "\"3\", \"4\"",
        "*",
        "\"99999999999999999999\""
      })
  void malformedIfMatchIs400AndWritesNothing(String ifMatch) {
    node.http().put("cas/malformed", utf8("keep"));
    Map<String, JsonObject> before = node.http().snapshot();

    HttpResponse<byte[]> put = node.http().put("cas/malformed", utf8("lost"), "If-Match", ifMatch);
    HttpResponse<byte[]> delete = node.http().delete("cas/malformed", "If-Match", ifMatch);

    for (HttpResponse<byte[]> response : List.of(put, delete)) {
      assertThat(response.statusCode()).as(ifMatch).isEqualTo(400);
      assertThat(KvHttp.json(response).getString("error")).isNotBlank();
      assertThat(KvHttp.json(response).getString("message")).isNotBlank();
    }
    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"1\"", "1", "**", "W/\"1\""})
  void ifNoneMatchOtherThanStarIs400(String ifNoneMatch) {
    Map<String, JsonObject> before = node.http().snapshot();

    HttpResponse<byte[]> put =
        node.http().put("cas/none-match-bad", utf8("x"), "If-None-Match", ifNoneMatch);

    assertThat(put.statusCode()).isEqualTo(400);
    assertThat(KvHttp.json(put).getString("error")).isNotBlank();
    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @Test
  void bothIfMatchAndIfNoneMatchIs400() {
    Map<String, JsonObject> before = node.http().snapshot();

    HttpResponse<byte[]> put =
        node.http().put("cas/both", utf8("x"), "If-Match", "\"0\"", "If-None-Match", "*");

    assertThat(put.statusCode()).isEqualTo(400);
    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @Test
  void ifMatchSentTwiceIs400() {
    node.http().put("cas/twice", utf8("keep"));
    Map<String, JsonObject> before = node.http().snapshot();

    HttpResponse<byte[]> put =
        node.http().put("cas/twice", utf8("x"), "If-Match", "\"1\"", "If-Match", "\"1\"");

    assertThat(put.statusCode()).isEqualTo(400);
    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @Test
  void deleteWithMatchingIfMatchDeletes() {
    node.http().put("cas/delete-match", utf8("a"));
    node.http().put("cas/delete-match", utf8("b"));

    HttpResponse<byte[]> delete = node.http().delete("cas/delete-match", "If-Match", "\"2\"");

    assertThat(delete.statusCode()).isEqualTo(200);
    assertThat(KvHttp.json(delete).getBoolean("deleted")).isTrue();
    assertThat(node.http().get("cas/delete-match").statusCode()).isEqualTo(404);
  }

  @Test
  void deleteWithStaleIfMatchIs412AndKeepsTheKey() {
    node.http().put("cas/delete-stale", utf8("a"));
    node.http().put("cas/delete-stale", utf8("b"));

    assertVersionMismatch(node.http().delete("cas/delete-stale", "If-Match", "\"1\""), 2);
    assertThat(node.http().get("cas/delete-stale").body()).isEqualTo(utf8("b"));
  }

  @Test
  void concurrentCompareAndSetIncrementsLoseNoUpdate() throws Exception {
    String key = "cas/counter";
    int clients = 20;
    int incrementsEach = 10;
    assertThat(node.http().put(key, utf8("0")).statusCode()).isEqualTo(201);
    AtomicInteger conflicts = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(clients);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  int succeeded = 0;
                  while (succeeded < incrementsEach) {
                    HttpResponse<byte[]> get = node.http().get(key);
                    String etag = get.headers().firstValue("ETag").orElseThrow();
                    long next = Long.parseLong(KvHttp.text(get)) + 1;
                    HttpResponse<byte[]> put =
                        node.http().put(key, utf8(Long.toString(next)), "If-Match", etag);
                    if (put.statusCode() == 200) {
                      succeeded++;
                    } else {
                      assertThat(put.statusCode()).isEqualTo(412);
                      conflicts.incrementAndGet();
                    }
                  }
                  return succeeded;
                }));
      }
      int total = 0;
      for (Future<Integer> client : done) {
        total += client.get(25, TimeUnit.SECONDS);
      }

      HttpResponse<byte[]> last = node.http().get(key);
      assertThat(total).isEqualTo(clients * incrementsEach);
      assertThat(KvHttp.text(last)).isEqualTo(Integer.toString(total));
      assertThat(last.headers().firstValue("ETag")).hasValue("\"" + (total + 1) + "\"");
      assertThat(conflicts.get()).as("conflicts seen").isPositive();
    } finally {
      pool.shutdownNow();
    }
  }
}
