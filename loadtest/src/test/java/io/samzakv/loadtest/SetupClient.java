package io.samzakv.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.IntFunction;

/**
 * A blocking {@code java.net.http} client for the work around a run, outside the measured load:
 * {@code before()} preloads through {@code POST /v1/batch}, {@code after()} reads keys back. It
 * talks to the first base URL; any node accepts any request.
 */
final class SetupClient {

  private static final int MAX_OPS = 1000;

  /** Base64 characters per batch, well inside the node's 32 MiB limit on a batch body. */
  private static final int MAX_BATCH_CHARS = 8 << 20;

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** A value and its version, as {@code GET /v1/kv/{key}} answers them. */
  record Versioned(byte[] value, long version) {}

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final String baseUrl;

  SetupClient(LoadConfig config) {
    this.baseUrl = config.baseUrls().get(0);
  }

  /**
   * Puts {@code base64Value(i)} at {@code key(i)} for every i in {@code [0, count)}, in batches of
   * at most 1000 ops, and returns the version each key got.
   *
   * @throws IllegalStateException if any op does not answer 200 or 201
   */
  long[] putAll(int count, IntFunction<String> key, IntFunction<String> base64Value) {
    long[] versions = new long[count];
    int from = 0;
    while (from < count) {
      ArrayNode ops = json.createArrayNode();
      int chars = 0;
      int to = from;
      while (to < count && ops.size() < MAX_OPS && chars < MAX_BATCH_CHARS) {
        String value = base64Value.apply(to);
        ops.addObject().put("op", "put").put("key", key.apply(to)).put("value", value);
        chars += value.length();
        to++;
      }
      JsonNode results = batch(ops);
      if (results.size() != to - from) {
        throw new IllegalStateException(
            "batch of " + (to - from) + " ops answered " + results.size() + " results");
      }
      for (int i = from; i < to; i++) {
        JsonNode result = results.get(i - from);
        int status = result.path("status").asInt();
        if (status != 200 && status != 201) {
          throw new IllegalStateException("put " + key.apply(i) + " in a batch answered " + result);
        }
        versions[i] = result.path("version").asLong();
      }
      from = to;
    }
    return versions;
  }

  /**
   * Reads one key.
   *
   * @throws IllegalStateException unless it answers 200 with an ETag
   */
  Versioned get(String key) {
    HttpResponse<byte[]> response =
        send(
            HttpRequest.newBuilder(URI.create(baseUrl + "/v1/kv/" + key)).timeout(TIMEOUT).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    String etag = response.headers().firstValue("ETag").orElse("");
    if (response.statusCode() != 200 || !etag.matches("\"\\d+\"")) {
      throw new IllegalStateException(
          "GET " + key + " answered " + response.statusCode() + " with ETag '" + etag + "'");
    }
    return new Versioned(response.body(), Long.parseLong(etag.substring(1, etag.length() - 1)));
  }

  private JsonNode batch(ArrayNode ops) {
    ObjectNode body = json.createObjectNode();
    body.set("ops", ops);
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(URI.create(baseUrl + "/v1/batch"))
              .timeout(TIMEOUT)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
              .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "POST /v1/batch answered " + response.statusCode() + ": " + response.body());
    }
    try {
      return json.readTree(response.body()).path("results");
    } catch (IOException e) {
      throw new UncheckedIOException("POST /v1/batch answered malformed JSON", e);
    }
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request, handler);
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + request.uri(), e);
    }
  }
}
