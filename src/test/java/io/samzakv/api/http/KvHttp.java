package io.samzakv.api.http;

import io.samzakv.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A blocking HTTP/1.1 client for one test node. Paths are sent raw, exactly as given, so tests
 * control the percent-encoding; {@link #keyPath} encodes a key the strict way.
 */
final class KvHttp {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final String base;
  private final HttpClient client;

  KvHttp(TestNode node) {
    this.base = node.baseUrl();
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
  }

  /** {@code /v1/kv/} and the key's UTF-8 bytes, every byte but unreserved ones as %XX. */
  static String keyPath(String key) {
    return "/v1/kv/" + encodeBytes(key.getBytes(StandardCharsets.UTF_8));
  }

  static String encodeBytes(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      int c = b & 0xFF;
      if (c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || "-._~".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(String.format("%02X", c));
      }
    }
    return out.toString();
  }

  /** A query parameter value as a form encoder writes it ({@code +} for space, {@code %2B}). */
  static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  HttpResponse<byte[]> send(String method, String rawPath, byte[] body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + rawPath))
            .timeout(TIMEOUT)
            .method(
                method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return client.send(request.build(), BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<byte[]> put(String key, byte[] value, String... headers) {
    return send("PUT", keyPath(key), value, headers);
  }

  HttpResponse<byte[]> get(String key) {
    return send("GET", keyPath(key), null);
  }

  HttpResponse<byte[]> delete(String key, String... headers) {
    return send("DELETE", keyPath(key), null, headers);
  }

  HttpResponse<byte[]> get(String rawPath, String... headers) {
    return send("GET", rawPath, null, headers);
  }

  HttpResponse<byte[]> post(String rawPath, String body) {
    return send(
        "POST", rawPath, body.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
  }

  static JsonObject json(HttpResponse<byte[]> response) {
    return new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
  }

  static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  /** Every key in the store with its version and base64 value, read page by page. */
  Map<String, JsonObject> snapshot() {
    Map<String, JsonObject> all = new LinkedHashMap<>();
    String start = null;
    do {
      String path = "/v1/kv?limit=10000" + (start == null ? "" : "&start=" + query(start));
      HttpResponse<byte[]> response = get(path, new String[0]);
      if (response.statusCode() != 200) {
        throw new AssertionError("scan failed: " + response.statusCode() + " " + text(response));
      }
      JsonObject page = json(response);
      JsonArray items = page.getJsonArray("items");
      for (int i = 0; i < items.size(); i++) {
        JsonObject item = items.getJsonObject(i);
        all.put(item.getString("key"), item);
      }
      start = page.getString("next");
    } while (start != null);
    return all;
  }
}
