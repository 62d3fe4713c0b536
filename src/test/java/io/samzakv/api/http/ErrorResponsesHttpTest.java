package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every error is JSON {@code {"error","message"}}; client input never causes a 500. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ErrorResponsesHttpTest {
  @RegisterExtension static final HttpNode node = new HttpNode(Map.of("KV_FSYNC", "never"));

  private static void assertJsonError(int status, String contentType, byte[] body, int expected) {
    String text = new String(body, StandardCharsets.UTF_8);
    assertThat(status).as(text).isEqualTo(expected);
    assertThat(contentType).isEqualTo("application/json");
    JsonObject error = new JsonObject(text);
    assertThat(error.getString("error")).isNotBlank();
    assertThat(error.getString("message")).isNotBlank();
  }

  private static void assertJsonError(HttpResponse<byte[]> response, int expected) {
    assertJsonError(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(null),
        response.body(),
        expected);
  }

  private static void assertJsonError(RawHttp.Response response, int expected) {
    assertJsonError(response.status(), response.header("Content-Type"), response.body(), expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/nope", "/v1", "/v1/nope", "/v1/kvx", "/v2/kv/a", "/healthz"})
  void unknownRouteIs404Json(String path) {
    HttpResponse<byte[]> response = node.http().get(path, new String[0]);

    assertJsonError(response, 404);
    assertThat(KvHttp.json(response).getString("error")).isEqualTo("not_found");
  }

  @ParameterizedTest
  @CsvSource({
    "POST, /v1/kv/x",
    "PATCH, /v1/kv/x",
    "POST, /v1/kv",
    "GET, /v1/batch",
    "PUT, /v1/batch",
    "GET, /v1/locks/l",
    "PUT, /v1/locks/l",
    "POST, /health",
    "DELETE, /v1/cluster",
    "PUT, /metrics"
  })
  void wrongMethodIs405Json(String method, String path) {
    Map<String, JsonObject> before = node.http().snapshot();

    HttpResponse<byte[]> response =
        node.http().send(method, path, "{}".getBytes(StandardCharsets.UTF_8));

    assertJsonError(response, 405);
    assertThat(KvHttp.json(response).getString("error")).isEqualTo("method_not_allowed");
    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"PUT", "DELETE"})
  void writeWithoutAKeyIsA4xxJsonErrorAndWritesNothing(String method) {
    Map<String, JsonObject> before = node.http().snapshot();

    HttpResponse<byte[]> response =
        node.http().send(method, "/v1/kv", "v".getBytes(StandardCharsets.UTF_8));

    assertThat(response.statusCode()).isIn(400, 405);
    assertJsonError(response, response.statusCode());
    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @Test
  void notFoundKeyIs404WithNotFoundCode() {
    HttpResponse<byte[]> response = node.http().get("errors/absent");

    assertJsonError(response, 404);
    assertThat(KvHttp.json(response).getString("error")).isEqualTo("not_found");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET /v1/kv/%00 HTTP/1.1",
        "GET /v1/kv/a%2 HTTP/1.1",
        "GET /v1/kv/%u0041 HTTP/1.1",
        "GET /v1/kv/a/../b%ZZ HTTP/1.1",
        "GET /v1/kv?%FF=1 HTTP/1.1",
        "GET /v1/kv?=&&=x HTTP/1.1",
        "GET /v1/kv?limit=1e3 HTTP/1.1",
        "GET /v1/kv?start=\u00FF HTTP/1.1",
        "DELETE /v1/locks/l?token=%FF HTTP/1.1",
        "DELETE /v1/locks/l?token=1&token=1 HTTP/1.1",
        "DELETE /v1/locks/%G0?token=1 HTTP/1.1",
        "POST /v1/locks/ HTTP/1.1",
        "GET /%G1 HTTP/1.1",
        "GET http://127.0.0.1/v1/kv/%ZZ HTTP/1.1",
        "PUT /v1/kv/x\u00C3 HTTP/1.1"
      })
  void oddRequestsAreAnsweredWithA4xxJsonErrorNeverA500(String requestLine) {
    Map<String, JsonObject> before = node.http().snapshot();

    RawHttp.Response response =
        RawHttp.exchange(
            node.httpPort(),
            requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0",
            null);

    assertThat(response.status()).as(requestLine).isBetween(400, 499);
    assertJsonError(response, response.status());
    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @Test
  void requestLineTooLongForTheDecoderIs414Json() {
    String key = "k".repeat(5000);

    RawHttp.Response response =
        RawHttp.exchange(node.httpPort(), "GET /v1/kv/" + key + " HTTP/1.1\r\nHost: x", null);

    assertJsonError(response, 414);
    assertThat(response.json().getString("error")).isEqualTo("uri_too_long");
    assertThat(response.header("Connection")).isEqualTo("close");
  }

  @Test
  void headersTooLargeForTheDecoderAre431Json() {
    RawHttp.Response response =
        RawHttp.exchange(
            node.httpPort(),
            "GET /v1/kv/x HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000),
            null);

    assertJsonError(response, 431);
    assertThat(response.json().getString("error")).isEqualTo("headers_too_large");
  }

  @Test
  void bytesThatAreNotHttpAre400Json() {
    RawHttp.Response response =
        RawHttp.exchange(node.httpPort(), "GET /v1/kv/x HTTP/1.1\r\nHost x no colon", null);

    assertJsonError(response, 400);
    assertThat(response.json().getString("error")).isEqualTo("bad_request");
  }
}
