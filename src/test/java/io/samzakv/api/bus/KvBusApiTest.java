package io.samzakv.api.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.samzakv.kv.VersionedValue;
import io.samzakv.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The event-bus API (API.md §3) against a real in-process node: the kv.* addresses answer the same
 * JSON as HTTP, and failures are {@link ReplyException}s whose failure code is the HTTP status and
 * whose message is the HTTP error body. One node serves the whole class; every test works under its
 * own key prefix.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class KvBusApiTest {
  private static final int MAX_VALUE_BYTES = 1024;
  private static final long WAIT_SECONDS = 20;

  @TempDir static Path dataDir;
  private static TestNode node;
  private static KvClient client;

  private String prefix;

  @BeforeAll
  static void startNode() {
    node = TestNode.start(dataDir, Map.of("KV_MAX_VALUE_BYTES", Integer.toString(MAX_VALUE_BYTES)));
    client = new KvClient(node.vertx());
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @org.junit.jupiter.api.BeforeEach
  void keyPrefix(TestInfo test) {
    prefix = test.getDisplayName().replaceAll("[^A-Za-z0-9]", "") + "/";
  }

  // ---- round trips through KvClient -------------------------------------------------------

  @Test
  void clientPutGetDeleteRoundTripBytesAndVersions() throws Exception {
    String key = prefix + "k";
    byte[] binary = {0, 1, (byte) 0xff, (byte) 0x80, 42};

    assertThat(await(client.put(key, binary))).isEqualTo(1L);
    VersionedValue first = await(client.get(key));
    assertThat(first.version()).isEqualTo(1);
    assertThat(first.value()).containsExactly(binary);

    assertThat(await(client.put(key, bytes("second")))).isEqualTo(2L);
    VersionedValue second = await(client.get(key));
    assertThat(second.version()).isEqualTo(2);
    assertThat(second.value()).isEqualTo(bytes("second"));

    await(client.delete(key));
    assertFails(client.get(key), 404, "not_found");
    assertFails(client.delete(key), 404, "not_found");

    // A deleted key is absent and starts again at version 1.
    assertThat(await(client.put(key, new byte[0]))).isEqualTo(1L);
    assertThat(await(client.get(key)).value()).isEmpty();
  }

  @Test
  void clientPutIfVersionWritesOnlyAtTheExpectedVersion() throws Exception {
    String key = prefix + "k";
    // 0 = absent: creating through putIfVersion(…, 0) works once.
    assertThat(await(client.putIfVersion(key, bytes("a"), 0))).isEqualTo(1L);
    JsonObject stale =
        assertFails(client.putIfVersion(key, bytes("b"), 0), 412, "version_mismatch");
    assertThat(stale.getLong("current_version")).isEqualTo(1L);

    assertThat(await(client.putIfVersion(key, bytes("b"), 1))).isEqualTo(2L);
    JsonObject behind = assertFails(client.putIfVersion(key, bytes("c"), 1), 412, null);
    assertThat(behind.getLong("current_version")).isEqualTo(2L);
    JsonObject ahead = assertFails(client.putIfVersion(key, bytes("c"), 7), 412, null);
    assertThat(ahead.getLong("current_version")).isEqualTo(2L);

    // The rejected writes left the value alone.
    VersionedValue now = await(client.get(key));
    assertThat(now.version()).isEqualTo(2);
    assertThat(now.value()).isEqualTo(bytes("b"));
  }

  @Test
  void clientPutIfAbsentCreatesOnlyOnce() throws Exception {
    String key = prefix + "k";
    assertThat(await(client.putIfAbsent(key, bytes("first")))).isEqualTo(1L);
    JsonObject error = assertFails(client.putIfAbsent(key, bytes("second")), 412, null);
    assertThat(error.getLong("current_version")).isEqualTo(1L);
    assertThat(await(client.get(key)).value()).isEqualTo(bytes("first"));

    await(client.delete(key));
    assertThat(await(client.putIfAbsent(key, bytes("again")))).isEqualTo(1L);
  }

  @Test
  void clientDeleteIfVersionDeletesOnlyAtTheExpectedVersion() throws Exception {
    String key = prefix + "k";
    await(client.put(key, bytes("a")));
    await(client.put(key, bytes("b")));

    JsonObject error = assertFails(client.deleteIfVersion(key, 1), 412, "version_mismatch");
    assertThat(error.getLong("current_version")).isEqualTo(2L);
    assertThat(await(client.get(key)).version()).isEqualTo(2);

    await(client.deleteIfVersion(key, 2));
    assertFails(client.get(key), 404, "not_found");
  }

  @Test
  void racingPutIfAbsentCallsCreateTheKeyExactlyOnce(VertxTestContext test) {
    String key = prefix + "k";
    int callers = 20;
    // A checkpoint per caller for its own answer, a 201 or a 412, and one for the tally.
    Checkpoint answered = test.checkpoint(callers);
    Checkpoint tallied = test.checkpoint();
    List<Future<Long>> attempts = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      Future<Long> attempt = client.putIfAbsent(key, bytes("by " + i));
      attempts.add(attempt);
      attempt.onComplete(
          outcome ->
              test.verify(
                  () -> {
                    if (outcome.succeeded()) {
                      assertThat(outcome.result()).isEqualTo(1L);
                    } else {
                      assertThat(outcome.cause())
                          .isInstanceOfSatisfying(
                              ReplyException.class,
                              e -> assertThat(e.failureCode()).isEqualTo(412));
                    }
                    answered.flag();
                  }));
    }
    Future.join(attempts)
        .onComplete(
            all ->
                test.verify(
                    () -> {
                      assertThat(attempts.stream().filter(Future::succeeded)).hasSize(1);
                      tallied.flag();
                    }));
  }

  @Test
  void aVerticleUsingTheClientGetsItsAnswersOnItsOwnContext(VertxTestContext test) {
    String key = prefix + "k";
    Checkpoint written = test.checkpoint();
    Checkpoint readBack = test.checkpoint();
    node.vertx()
        .deployVerticle(
            new VerticleBase() {
              @Override
              public Future<?> start() {
                KvClient own = new KvClient(vertx);
                return own.put(key, bytes("from a verticle"))
                    .compose(
                        version -> {
                          test.verify(
                              () -> {
                                assertThat(version).isEqualTo(1L);
                                assertThat(Vertx.currentContext()).isSameAs(context);
                                written.flag();
                              });
                          return own.get(key);
                        })
                    .onSuccess(
                        value ->
                            test.verify(
                                () -> {
                                  assertThat(value.value()).isEqualTo(bytes("from a verticle"));
                                  assertThat(Vertx.currentContext()).isSameAs(context);
                                  readBack.flag();
                                }));
              }
            })
        .compose(node.vertx()::undeploy)
        .onFailure(test::failNow);
  }

  @Test
  void clientPutOverTheValueLimitFails413AndWritesNothing() throws Exception {
    String key = prefix + "k";
    assertFails(client.put(key, new byte[MAX_VALUE_BYTES + 1]), 413, "too_large");
    assertFails(client.get(key), 404, null);

    assertThat(await(client.put(key, new byte[MAX_VALUE_BYTES]))).isEqualTo(1L);
    assertThat(await(client.get(key)).value()).hasSize(MAX_VALUE_BYTES);
  }

  // ---- raw event-bus requests: the HTTP JSON ----------------------------------------------

  @Test
  void rawRequestsAnswerTheSameJsonAsHttp() throws Exception {
    String key = prefix + "k";
    String value = base64("hello");

    assertThat(request(BusAddresses.PUT, new JsonObject().put("key", key).put("value", value)))
        .isEqualTo(new JsonObject().put("key", key).put("version", 1));
    assertThat(request(BusAddresses.PUT, new JsonObject().put("key", key).put("value", value)))
        .isEqualTo(new JsonObject().put("key", key).put("version", 2));
    assertThat(request(BusAddresses.GET, new JsonObject().put("key", key)))
        .isEqualTo(new JsonObject().put("key", key).put("value", value).put("version", 2));
    assertThat(request(BusAddresses.DELETE, new JsonObject().put("key", key)))
        .isEqualTo(new JsonObject().put("key", key).put("deleted", true));

    JsonObject notFound = assertFails(raw(BusAddresses.GET, new JsonObject().put("key", key)), 404);
    assertThat(notFound.getString("error")).isEqualTo("not_found");
    assertThat(notFound.fieldNames()).containsExactlyInAnyOrder("error", "message");
  }

  @Test
  void rawConditionalWritesFail412WithTheCurrentVersion() throws Exception {
    String key = prefix + "k";
    JsonObject put = new JsonObject().put("key", key).put("value", base64("v"));
    request(BusAddresses.PUT, put);

    JsonObject ifAbsent =
        assertFails(raw(BusAddresses.PUT, put.copy().put("if_absent", true)), 412);
    assertThat(ifAbsent.getString("error")).isEqualTo("version_mismatch");
    assertThat(ifAbsent.getLong("current_version")).isEqualTo(1L);

    JsonObject ifVersion = assertFails(raw(BusAddresses.PUT, put.copy().put("if_version", 5)), 412);
    assertThat(ifVersion.getLong("current_version")).isEqualTo(1L);

    JsonObject delete =
        assertFails(
            raw(BusAddresses.DELETE, new JsonObject().put("key", key).put("if_version", 3)), 412);
    assertThat(delete.getLong("current_version")).isEqualTo(1L);

    assertThat(request(BusAddresses.PUT, put.copy().put("if_version", 1)).getLong("version"))
        .isEqualTo(2L);
  }

  @Test
  void rawPutOverTheValueLimitFails413() throws Exception {
    JsonObject body =
        new JsonObject()
            .put("key", prefix + "k")
            .put("value", Base64.getEncoder().encodeToString(new byte[MAX_VALUE_BYTES + 1]));
    assertThat(assertFails(raw(BusAddresses.PUT, body), 413).getString("error"))
        .isEqualTo("too_large");
  }

  static Stream<Arguments> malformedRequests() {
    String valid = base64("v");
    return Stream.of(
        Arguments.of(BusAddresses.PUT, new JsonObject().put("value", valid), "missing key"),
        Arguments.of(BusAddresses.GET, new JsonObject(), "missing key on get"),
        Arguments.of(BusAddresses.DELETE, new JsonObject(), "missing key on delete"),
        Arguments.of(BusAddresses.PUT, new JsonObject().put("key", 42).put("value", valid), "key"),
        Arguments.of(BusAddresses.PUT, new JsonObject().put("key", "bad/v"), "missing value"),
        Arguments.of(
            BusAddresses.PUT,
            new JsonObject().put("key", "bad/b64").put("value", "not base64!!"),
            "value not base64"),
        Arguments.of(
            BusAddresses.PUT,
            new JsonObject().put("key", "bad/ifv").put("value", valid).put("if_version", "x"),
            "if_version x"),
        Arguments.of(
            BusAddresses.PUT,
            new JsonObject().put("key", "bad/neg").put("value", valid).put("if_version", -1),
            "negative if_version"),
        Arguments.of(
            BusAddresses.PUT,
            new JsonObject().put("key", "bad/frac").put("value", valid).put("if_version", 1.5),
            "fractional if_version"),
        Arguments.of(
            BusAddresses.DELETE,
            new JsonObject().put("key", "bad/difv").put("if_version", "x"),
            "delete if_version x"),
        Arguments.of(
            BusAddresses.PUT,
            new JsonObject().put("key", "bad/abs").put("value", valid).put("if_absent", "yes"),
            "if_absent not boolean"),
        Arguments.of(
            BusAddresses.PUT,
            new JsonObject().put("key", "k".repeat(512)).put("value", valid),
            "key of 512 bytes"),
        Arguments.of(
            BusAddresses.PUT,
            new JsonObject().put("key", "é".repeat(256)).put("value", valid),
            "key of 256 two-byte chars = 512 bytes"),
        Arguments.of(
            BusAddresses.PUT, new JsonObject().put("key", "").put("value", valid), "empty key"),
        Arguments.of(
            BusAddresses.PUT,
            new JsonObject().put("key", "\uD800").put("value", valid),
            "lone surrogate key"),
        Arguments.of(
            BusAddresses.GET, new JsonObject().put("key", "a\uDC00b"), "lone low surrogate"),
        Arguments.of(
            BusAddresses.PUT,
            new JsonObject().put("key", "a\u0000b").put("value", valid),
            "put of a key with a NUL byte"),
        Arguments.of(BusAddresses.GET, new JsonObject().put("key", "\u0000lock/x"), "get NUL key"),
        Arguments.of(BusAddresses.DELETE, new JsonObject().put("key", "x\u0000"), "delete NUL key"),
        Arguments.of(
            BusAddresses.SCAN, new JsonObject().put("prefix", "\u0000lock/"), "scan NUL prefix"),
        Arguments.of(BusAddresses.SCAN, new JsonObject().put("start", "\u0000"), "scan NUL start"),
        Arguments.of(BusAddresses.SCAN, new JsonObject().put("limit", 0), "scan limit 0"),
        Arguments.of(BusAddresses.SCAN, new JsonObject().put("limit", 10_001), "scan limit big"),
        Arguments.of(BusAddresses.SCAN, new JsonObject().put("limit", "abc"), "scan limit text"),
        Arguments.of(
            BusAddresses.SCAN,
            new JsonObject().put("prefix", "a").put("end", "b"),
            "scan prefix with end"),
        Arguments.of(BusAddresses.SCAN, new JsonObject().put("start", true), "scan start bool"),
        Arguments.of(
            BusAddresses.SCAN, new JsonObject().put("start", "\uD800"), "scan lone surrogate"),
        Arguments.of(
            BusAddresses.SCAN, new JsonObject().put("prefix", "p".repeat(512)), "scan long prefix"),
        Arguments.of(BusAddresses.BATCH, new JsonObject(), "batch without ops"),
        Arguments.of(BusAddresses.BATCH, new JsonObject().put("ops", "x"), "batch ops not array"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("malformedRequests")
  void malformedRequestsFail400(String address, JsonObject body, String description)
      throws Exception {
    JsonObject error = assertFails(raw(address, body), 400);
    assertThat(error.getString("error")).isIn("invalid_request", "invalid_key", "invalid_value");
    assertThat(error.getString("message")).isNotBlank();
  }

  @Test
  void malformedConditionalPutWritesNothing() throws Exception {
    String key = prefix + "k";
    assertFails(
        raw(
            BusAddresses.PUT,
            new JsonObject().put("key", key).put("value", base64("v")).put("if_version", "x")),
        400);
    assertFails(client.get(key), 404, null);
  }

  @Test
  void keyOfExactly511BytesIsAccepted() throws Exception {
    String key = prefix + "x".repeat(511 - prefix.length());
    assertThat(key.getBytes(StandardCharsets.UTF_8)).hasSize(511);
    assertThat(await(client.put(key, bytes("v")))).isEqualTo(1L);
    assertThat(await(client.get(key)).value()).isEqualTo(bytes("v"));
  }

  @Test
  void nonJsonBodiesFail400() throws Exception {
    for (String address :
        List.of(
            BusAddresses.PUT,
            BusAddresses.GET,
            BusAddresses.DELETE,
            BusAddresses.SCAN,
            BusAddresses.BATCH)) {
      JsonObject stringBody = assertFails(node.vertx().eventBus().request(address, "{}"), 400);
      assertThat(stringBody.getString("error")).isEqualTo("invalid_request");
      assertFails(node.vertx().eventBus().request(address, new JsonArray().add(1)), 400);
      assertFails(node.vertx().eventBus().request(address, 17), 400);
      assertFails(node.vertx().eventBus().request(address, null), 400);
    }
  }

  // ---- scan ---------------------------------------------------------------------------------

  @Test
  void scanPagesThroughAPrefixInKeyOrderViaNext() throws Exception {
    List<String> written = new ArrayList<>();
    for (int i = 24; i >= 0; i--) {
      String key = prefix + String.format("%03d", i);
      await(client.put(key, bytes("v" + i)));
      written.add(0, key);
    }
    await(client.put(prefix + "007", bytes("v7b"))); // version 2
    // Neighbours outside the prefix must not show up.
    await(client.put(prefix.substring(0, prefix.length() - 1), bytes("before")));
    await(client.put(prefix.substring(0, prefix.length() - 1) + "0", bytes("after")));

    List<String> seen = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String next = null;
    do {
      JsonObject request = new JsonObject().put("prefix", prefix).put("limit", 10);
      if (next != null) {
        request.put("start", next);
      }
      JsonObject page = await(client.scan(request));
      JsonArray items = page.getJsonArray("items");
      pageSizes.add(items.size());
      for (int i = 0; i < items.size(); i++) {
        JsonObject item = items.getJsonObject(i);
        String key = item.getString("key");
        seen.add(key);
        int n = Integer.parseInt(key.substring(prefix.length()));
        String expected = n == 7 ? "v7b" : "v" + n;
        assertThat(item.getString("value")).isEqualTo(base64(expected));
        assertThat(item.getLong("version")).isEqualTo(n == 7 ? 2L : 1L);
        assertThat(item.fieldNames()).containsExactlyInAnyOrder("key", "value", "version");
      }
      assertThat(page.containsKey("next")).isTrue();
      next = page.getString("next");
    } while (next != null && pageSizes.size() < 10);

    assertThat(pageSizes).containsExactly(10, 10, 5);
    assertThat(seen).containsExactlyElementsOf(written);
  }

  @Test
  void scanRangeIsHalfOpenAndRawScanMatchesHttpShape() throws Exception {
    for (String suffix : List.of("a", "b", "c", "d")) {
      await(client.put(prefix + suffix, bytes(suffix)));
    }
    JsonObject page =
        request(
            BusAddresses.SCAN,
            new JsonObject().put("start", prefix + "b").put("end", prefix + "d").put("limit", 100));
    assertThat(page)
        .isEqualTo(
            new JsonObject()
                .put(
                    "items",
                    new JsonArray().add(item(prefix + "b", "b", 1)).add(item(prefix + "c", "c", 1)))
                .putNull("next"));

    JsonObject backwards =
        request(
            BusAddresses.SCAN,
            new JsonObject().put("start", prefix + "c").put("end", prefix + "b"));
    assertThat(backwards).isEqualTo(new JsonObject().put("items", new JsonArray()).putNull("next"));

    // limit may also come as text, as in the query string.
    JsonObject limited =
        request(BusAddresses.SCAN, new JsonObject().put("prefix", prefix).put("limit", "1"));
    assertThat(limited.getJsonArray("items")).hasSize(1);
    assertThat(limited.getString("next")).isEqualTo(prefix + "b");
  }

  // ---- batch --------------------------------------------------------------------------------

  @Test
  void batchRunsOpsInOrderPerKeyWithTheirOwnStatus() throws Exception {
    String a = prefix + "a";
    String b = prefix + "b";
    JsonArray ops =
        new JsonArray()
            .add(op("put", a).put("value", base64("1")))
            .add(op("put", a).put("value", base64("2")))
            .add(op("get", a))
            .add(op("get", b))
            .add(op("put", b).put("value", base64("x")).put("if_version", 3))
            .add(op("delete", a))
            .add(op("get", a))
            .add(op("frobnicate", b))
            .add(new JsonObject().put("op", "get"))
            .add("not an object");

    JsonArray results = await(client.batch(ops));

    assertThat(results).hasSize(ops.size());
    assertThat(results.getJsonObject(0))
        .isEqualTo(new JsonObject().put("key", a).put("version", 1).put("status", 201));
    assertThat(results.getJsonObject(1))
        .isEqualTo(new JsonObject().put("key", a).put("version", 2).put("status", 200));
    assertThat(results.getJsonObject(2))
        .isEqualTo(
            new JsonObject()
                .put("key", a)
                .put("value", base64("2"))
                .put("version", 2)
                .put("status", 200));
    assertThat(results.getJsonObject(3).getInteger("status")).isEqualTo(404);
    assertThat(results.getJsonObject(3).getString("error")).isEqualTo("not_found");
    assertThat(results.getJsonObject(4).getInteger("status")).isEqualTo(412);
    assertThat(results.getJsonObject(4).getLong("current_version")).isEqualTo(0L);
    assertThat(results.getJsonObject(5))
        .isEqualTo(new JsonObject().put("key", a).put("deleted", true).put("status", 200));
    assertThat(results.getJsonObject(6).getInteger("status")).isEqualTo(404);
    for (int i = 7; i < 10; i++) {
      assertThat(results.getJsonObject(i).getInteger("status")).as("op %d", i).isEqualTo(400);
    }

    // The raw request answers the same results array.
    JsonObject raw =
        request(BusAddresses.BATCH, new JsonObject().put("ops", new JsonArray().add(op("get", b))));
    assertThat(raw.fieldNames()).containsExactly("results");
    assertThat(raw.getJsonArray("results").getJsonObject(0).getInteger("status")).isEqualTo(404);
  }

  @Test
  void batchOfAThousandOpsRunsAndOneMoreFails413() throws Exception {
    JsonArray thousand = new JsonArray();
    for (int i = 0; i < 1000; i++) {
      thousand.add(op("put", prefix + i).put("value", base64("v" + i)));
    }
    JsonArray results = await(client.batch(thousand));
    assertThat(results).hasSize(1000);
    for (int i = 0; i < 1000; i++) {
      assertThat(results.getJsonObject(i).getInteger("status")).isEqualTo(201);
    }

    JsonArray tooMany = thousand.copy().add(op("get", prefix + "0"));
    JsonObject error =
        assertFails(raw(BusAddresses.BATCH, new JsonObject().put("ops", tooMany)), 413);
    assertThat(error.getString("error")).isEqualTo("too_large");
    assertFails(client.batch(tooMany), 413, "too_large");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static JsonObject op(String op, String key) {
    return new JsonObject().put("op", op).put("key", key);
  }

  private static JsonObject item(String key, String value, long version) {
    return new JsonObject().put("key", key).put("value", base64(value)).put("version", version);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(bytes(text));
  }

  private static Future<Message<Object>> raw(String address, JsonObject body) {
    return node.vertx().eventBus().request(address, body);
  }

  private static JsonObject request(String address, JsonObject body) throws Exception {
    Object reply = await(raw(address, body)).body();
    assertThat(reply).isInstanceOf(JsonObject.class);
    return (JsonObject) reply;
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** The failure's error body, after checking it is a ReplyException with this code. */
  private static JsonObject assertFails(Future<?> future, int status) throws Exception {
    try {
      future.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ReplyException.class);
      ReplyException reply = (ReplyException) e.getCause();
      assertThat(reply.failureCode()).as("failure code: %s", reply.getMessage()).isEqualTo(status);
      JsonObject body = new JsonObject(reply.getMessage());
      assertThat(body.getString("error")).isNotNull();
      return body;
    } catch (TimeoutException e) {
      fail("no reply within " + WAIT_SECONDS + " s; expected failure " + status);
    }
    return fail("succeeded; expected failure " + status);
  }

  private static JsonObject assertFails(Future<?> future, int status, String error)
      throws Exception {
    JsonObject body = assertFails(future, status);
    if (error != null) {
      assertThat(body.getString("error")).isEqualTo(error);
    }
    return body;
  }
}
