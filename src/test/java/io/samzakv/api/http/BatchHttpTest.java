package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST /v1/batch}: one result per op, each with its own status; bad ops fail alone. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BatchHttpTest {
  @RegisterExtension static final HttpNode node = new HttpNode(Map.of("KV_FSYNC", "never"));

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject put(String key, String value) {
    return new JsonObject().put("op", "put").put("key", key).put("value", base64(value));
  }

  private static JsonObject get(String key) {
    return new JsonObject().put("op", "get").put("key", key);
  }

  private static JsonObject delete(String key) {
    return new JsonObject().put("op", "delete").put("key", key);
  }

  /** The results of a batch that must itself succeed. */
  private static JsonArray run(Object... ops) {
    HttpResponse<byte[]> response =
        node.http()
            .post(
                "/v1/batch",
                new JsonObject().put("ops", new JsonArray(java.util.List.of(ops))).encode());
    assertThat(response.statusCode()).as(KvHttp.text(response)).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonArray results = KvHttp.json(response).getJsonArray("results");
    assertThat(results).hasSize(ops.length);
    return results;
  }

  private static void assertFailed(JsonObject result, int status) {
    assertThat(result.getInteger("status")).as(result.encode()).isEqualTo(status);
    assertThat(result.getString("error")).isNotBlank();
    assertThat(result.getString("message")).isNotBlank();
  }

  @Test
  void mixedOpsEachAnswerWithTheirOwnStatus() {
    node.http().put("batch/existing", "old".getBytes(StandardCharsets.UTF_8));
    node.http().put("batch/doomed", "x".getBytes(StandardCharsets.UTF_8));

    JsonArray results =
        run(
            put("batch/new", "fresh"),
            put("batch/existing", "new"),
            get("batch/existing"),
            get("batch/missing"),
            delete("batch/doomed"),
            delete("batch/never"));

    assertThat(results.getJsonObject(0).getMap())
        .containsOnly(
            Map.entry("key", "batch/new"), Map.entry("version", 1), Map.entry("status", 201));
    assertThat(results.getJsonObject(1).getMap())
        .containsOnly(
            Map.entry("key", "batch/existing"), Map.entry("version", 2), Map.entry("status", 200));
    assertThat(results.getJsonObject(2).getMap())
        .containsOnly(
            Map.entry("key", "batch/existing"),
            Map.entry("value", base64("new")),
            Map.entry("version", 2),
            Map.entry("status", 200));
    assertFailed(results.getJsonObject(3), 404);
    assertThat(results.getJsonObject(3).getString("error")).isEqualTo("not_found");
    assertThat(results.getJsonObject(4).getMap())
        .containsOnly(
            Map.entry("key", "batch/doomed"), Map.entry("deleted", true), Map.entry("status", 200));
    assertFailed(results.getJsonObject(5), 404);
    assertThat(node.http().get("batch/new").body())
        .isEqualTo("fresh".getBytes(StandardCharsets.UTF_8));
    assertThat(node.http().get("batch/doomed").statusCode()).isEqualTo(404);
  }

  @Test
  void opsOnOneKeyRunInTheOrderGiven() {
    JsonArray results =
        run(
            put("batch/ordered", "one"),
            get("batch/ordered"),
            put("batch/ordered", "two"),
            get("batch/ordered"),
            delete("batch/ordered"),
            get("batch/ordered"),
            put("batch/ordered", "three"));

    assertThat(results.getJsonObject(0).getInteger("status")).isEqualTo(201);
    assertThat(results.getJsonObject(1).getString("value")).isEqualTo(base64("one"));
    assertThat(results.getJsonObject(2).getLong("version")).isEqualTo(2);
    assertThat(results.getJsonObject(3).getString("value")).isEqualTo(base64("two"));
    assertThat(results.getJsonObject(3).getLong("version")).isEqualTo(2);
    assertThat(results.getJsonObject(4).getInteger("status")).isEqualTo(200);
    assertFailed(results.getJsonObject(5), 404);
    assertThat(results.getJsonObject(6).getInteger("status")).isEqualTo(201);
    assertThat(results.getJsonObject(6).getLong("version")).isEqualTo(1);
  }

  @Test
  void conditionalOpsAnswer412WithTheCurrentVersion() {
    node.http().put("batch/cas", "v1".getBytes(StandardCharsets.UTF_8));

    JsonArray results =
        run(
            put("batch/cas", "stale").put("if_version", 5),
            put("batch/cas", "ok").put("if_version", 1),
            put("batch/cas", "dup").put("if_absent", true),
            put("batch/cas-new", "new").put("if_absent", true),
            delete("batch/cas").put("if_version", 1));

    assertFailed(results.getJsonObject(0), 412);
    assertThat(results.getJsonObject(0).getString("error")).isEqualTo("version_mismatch");
    assertThat(results.getJsonObject(0).getLong("current_version")).isEqualTo(1);
    assertThat(results.getJsonObject(1).getLong("version")).isEqualTo(2);
    assertFailed(results.getJsonObject(2), 412);
    assertThat(results.getJsonObject(2).getLong("current_version")).isEqualTo(2);
    assertThat(results.getJsonObject(3).getInteger("status")).isEqualTo(201);
    assertFailed(results.getJsonObject(4), 412);
    assertThat(node.http().get("batch/cas").body())
        .isEqualTo("ok".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void badOpsFailAloneAndTheRestStillRun() {
    JsonArray results =
        run(
            5,
            "put",
            new JsonArray(),
            new JsonObject().put("op", "frobnicate").put("key", "batch/bad-op"),
            new JsonObject()
                .put("op", "put")
                .put("key", "batch/bad-b64")
                .put("value", "!!not base64!!"),
            new JsonObject().put("op", "put").put("key", "batch/no-value"),
            new JsonObject().put("op", "put").put("key", "batch/num-value").put("value", 5),
            new JsonObject().put("op", "get"),
            new JsonObject().put("op", "get").put("key", ""),
            new JsonObject().put("op", "get").put("key", 42),
            new JsonObject().put("op", "get").put("key", "k".repeat(512)),
            new JsonObject().put("key", "batch/no-op"),
            put("batch/bad-version", "x").put("if_version", "1"),
            put("batch/bad-version", "x").put("if_version", -1),
            put("batch/bad-version", "x").put("if_absent", "yes"),
            put("batch/nul\u0000key", "x"),
            get("\u0000lock/job"),
            new JsonObject().put("op", "delete").put("key", "batch/nul\u0000"),
            put("batch/survivor", "alive"),
            get("batch/survivor"));

    for (int i = 0; i < 18; i++) {
      assertFailed(results.getJsonObject(i), 400);
    }
    assertThat(results.getJsonObject(18).getInteger("status")).isEqualTo(201);
    assertThat(results.getJsonObject(19).getString("value")).isEqualTo(base64("alive"));
    assertThat(node.http().snapshot())
        .containsKey("batch/survivor")
        .doesNotContainKeys(
            "batch/bad-op",
            "batch/bad-b64",
            "batch/no-value",
            "batch/num-value",
            "batch/bad-version");
  }

  @Test
  void aThousandOpsAreAllowed() {
    JsonArray ops = new JsonArray();
    for (int i = 0; i < 1000; i++) {
      ops.add(put("batch/thousand/" + i, "v" + i));
    }

    HttpResponse<byte[]> response =
        node.http().post("/v1/batch", new JsonObject().put("ops", ops).encode());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonArray results = KvHttp.json(response).getJsonArray("results");
    assertThat(results).hasSize(1000);
    for (int i = 0; i < 1000; i++) {
      assertThat(results.getJsonObject(i).getString("key")).isEqualTo("batch/thousand/" + i);
      assertThat(results.getJsonObject(i).getInteger("status")).isEqualTo(201);
    }
  }

  @Test
  void moreThanAThousandOpsIs413AndRunsNone() {
    Map<String, JsonObject> before = node.http().snapshot();
    JsonArray ops = new JsonArray();
    for (int i = 0; i < 1001; i++) {
      ops.add(put("batch/toomany/" + i, "v"));
    }

    HttpResponse<byte[]> response =
        node.http().post("/v1/batch", new JsonObject().put("ops", ops).encode());

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(KvHttp.json(response).getString("error")).isEqualTo("too_large");
    assertThat(KvHttp.json(response).getString("message")).isNotBlank();
    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @Test
  void emptyOpsListAnswersNoResults() {
    assertThat(run()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"ops\": [",
        "not json",
        "",
        "[]",
        "[{\"op\":\"get\",\"key\":\"a\"}]",
        "\"ops\"",
        "null",
        "{}",
        "{\"ops\": 5}",
        "{\"ops\": {\"op\":\"get\"}}",
        "{\"ops\": null}"
      })
  void malformedBatchBodyIs400AndRunsNothing(String body) {
    Map<String, JsonObject> before = node.http().snapshot();

    HttpResponse<byte[]> response = node.http().post("/v1/batch", body);

    assertThat(response.statusCode()).as(body).isEqualTo(400);
    assertThat(KvHttp.json(response).getString("error")).isNotBlank();
    assertThat(KvHttp.json(response).getString("message")).isNotBlank();
    assertThat(node.http().snapshot()).isEqualTo(before);
  }
}
