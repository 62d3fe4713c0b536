package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an HTTP client or cache expects of any server: a 405 says what is allowed, HEAD is GET
 * without the body, a matching {@code If-None-Match} revalidates with a 304, and a JSON body means
 * one thing only.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpConventionsHttpTest {
  @RegisterExtension static final HttpNode node = new HttpNode(Map.of("KV_FSYNC", "never"));

  private static final List<String> METHODS =
      List.of("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS");

  private static RawHttp.Response send(String method, String path, String... headers) {
    StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: h");
    for (int i = 0; i < headers.length; i += 2) {
      head.append("\r\n").append(headers[i]).append(": ").append(headers[i + 1]);
    }
    boolean hasBody = method.equals("PUT") || method.equals("POST");
    if (hasBody) {
      head.append("\r\nContent-Length: 0");
    }
    return method.equals("HEAD")
        ? head(head.toString())
        : RawHttp.exchange(node.httpPort(), head.toString(), hasBody ? new byte[0] : null);
  }

  /**
   * A HEAD answer announces a length but sends no body, so its head is read alone; a request sent
   * right behind it on the same connection must then get its own answer, which it would not if any
   * body bytes had come in between.
   */
  private static RawHttp.Response head(String head) {
    try (Socket socket = RawHttp.connect(node.httpPort())) {
      RawHttp.send(socket.getOutputStream(), head, null);
      RawHttp.send(socket.getOutputStream(), "GET /health HTTP/1.1\r\nHost: h", null);
      RawHttp.Response answer = RawHttp.read(socket.getInputStream(), false);
      RawHttp.Response next = RawHttp.read(socket.getInputStream());
      assertThat(next.json().getString("status")).isEqualTo("UP");
      return answer;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v1/kv/a",
        "/v1/kv/a/b",
        "/v1/kv",
        "/v1/kv/",
        "/v1/batch",
        "/v1/locks/l",
        "/v1/cluster",
        "/health",
        "/ready",
        "/metrics"
      })
  void a405ListsExactlyTheMethodsThePathTakes(String path) {
    List<String> taken = new ArrayList<>();
    List<RawHttp.Response> refusals = new ArrayList<>();
    for (String method : METHODS) {
      RawHttp.Response response = send(method, path);
      if (response.status() == 405) {
        refusals.add(response);
      } else {
        taken.add(method);
      }
    }

    assertThat(refusals).isNotEmpty();
    for (RawHttp.Response refusal : refusals) {
      assertThat(refusal.header("Allow")).isNotNull();
      assertThat(Arrays.asList(refusal.header("Allow").split(", ")))
          .as(path)
          .containsExactlyInAnyOrderElementsOf(taken);
    }
  }

  @Test
  void theKeyPathAllowsGetHeadPutAndDelete() {
    RawHttp.Response refusal = send("POST", "/v1/kv/a");

    assertThat(refusal.status()).isEqualTo(405);
    assertThat(refusal.header("Allow")).isEqualTo("GET, HEAD, PUT, DELETE");
    assertThat(refusal.json().getString("error")).isEqualTo("method_not_allowed");
  }

  @Test
  void headOfAKeyAnswersLikeGetWithoutTheBody() {
    node.http().put("head/k", "twelve bytes".getBytes(StandardCharsets.UTF_8));

    RawHttp.Response get = send("GET", KvHttp.keyPath("head/k"));
    RawHttp.Response head = send("HEAD", KvHttp.keyPath("head/k"));

    assertThat(get.status()).isEqualTo(200);
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("ETag")).isEqualTo("\"1\"").isEqualTo(get.header("ETag"));
    assertThat(head.header("Content-Type")).isEqualTo("application/octet-stream");
    assertThat(head.header("Content-Length"))
        .isEqualTo("12")
        .isEqualTo(get.header("Content-Length"));
    assertThat(head.body()).isEmpty();
  }

  @Test
  void headOfAMissingKeyIs404WithoutTheBody() {
    RawHttp.Response head = send("HEAD", KvHttp.keyPath("head/missing"));

    assertThat(head.status()).isEqualTo(404);
    assertThat(head.header("Content-Type")).isEqualTo("application/json");
    assertThat(head.body()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"2\"", "W/\"2\"", "\"1\", \"2\"", "\"x\",W/\"2\"", "*"})
  void getWithAMatchingIfNoneMatchIs304WithTheEtagAndNoBody(String ifNoneMatch) {
    String key = "inm/" + Math.abs(ifNoneMatch.hashCode());
    node.http().put(key, "v1".getBytes(StandardCharsets.UTF_8));
    node.http().put(key, "v2".getBytes(StandardCharsets.UTF_8));

    for (String method : List.of("GET", "HEAD")) {
      RawHttp.Response response = send(method, KvHttp.keyPath(key), "If-None-Match", ifNoneMatch);

      assertThat(response.status()).as(method).isEqualTo(304);
      assertThat(response.header("ETag")).isEqualTo("\"2\"");
      assertThat(response.header("Content-Length")).isNull();
      assertThat(response.body()).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"1\"", "W/\"1\"", "\"3\", \"12\"", "\"2 \""})
  void getWithAnotherVersionInIfNoneMatchAnswersTheValue(String ifNoneMatch) {
    String key = "inm-other/" + Math.abs(ifNoneMatch.hashCode());
    node.http().put(key, "v1".getBytes(StandardCharsets.UTF_8));
    node.http().put(key, "v2".getBytes(StandardCharsets.UTF_8));

    RawHttp.Response response = send("GET", KvHttp.keyPath(key), "If-None-Match", ifNoneMatch);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("ETag")).isEqualTo("\"2\"");
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("v2");
  }

  @Test
  void ifNoneMatchStarOnAMissingKeyIs404() {
    RawHttp.Response response = send("GET", KvHttp.keyPath("inm/none"), "If-None-Match", "*");

    assertThat(response.status()).isEqualTo(404);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2", "\"2", "*, \"2\"", "\"2\" x", "W/2", ","})
  void aMalformedIfNoneMatchOnGetIs400(String ifNoneMatch) {
    node.http().put("inm/bad", "v".getBytes(StandardCharsets.UTF_8));

    RawHttp.Response response =
        send("GET", KvHttp.keyPath("inm/bad"), "If-None-Match", ifNoneMatch);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().getString("error")).isEqualTo("invalid_header");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"ops\":[],\"ops\":[{\"op\":\"put\",\"key\":\"dup\",\"value\":\"eA==\"}]}",
        "{\"ops\":[{\"op\":\"put\",\"key\":\"dup-a\",\"key\":\"dup-b\",\"value\":\"eA==\"}]}",
        "{\"ops\":[{\"op\":\"get\",\"op\":\"delete\",\"key\":\"dup\"}]}"
      })
  void aBatchWithADuplicateMemberIs400AndChangesNothing(String body) {
    var response = node.http().post("/v1/batch", body);

    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject error = KvHttp.json(response);
    assertThat(error.getString("error")).isEqualTo("invalid_json");
    assertThat(error.getString("message")).containsIgnoringCase("duplicate");
    assertThat(node.http().get("dup").statusCode()).isEqualTo(404);
    assertThat(node.http().get("dup-a").statusCode()).isEqualTo(404);
    assertThat(node.http().get("dup-b").statusCode()).isEqualTo(404);
  }

  @Test
  void aLockRequestWithADuplicateMemberIs400() {
    var response = node.http().post("/v1/locks/dup", "{\"ttl_ms\":1000,\"ttl_ms\":600000}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(KvHttp.json(response).getString("error")).isEqualTo("invalid_json");
    // Not held: a later acquire gets it at once.
    var again = node.http().post("/v1/locks/dup", "{\"ttl_ms\":1000}");
    assertThat(again.statusCode()).isEqualTo(200);
  }

  @Test
  void anEmptyPrefixListsEveryKey() {
    node.http().put("every/1", new byte[] {1});
    node.http().put("zz-every/2", new byte[] {2});

    var all = node.http().get("/v1/kv?prefix=", new String[0]);
    var unbounded = node.http().get("/v1/kv", new String[0]);

    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(KvHttp.json(all)).isEqualTo(KvHttp.json(unbounded));
    assertThat(KvHttp.json(all).getJsonArray("items").size()).isGreaterThanOrEqualTo(2);
    var paged = node.http().get("/v1/kv?prefix=&start=zz-&limit=1", new String[0]);
    assertThat(KvHttp.json(paged).getJsonArray("items").getJsonObject(0).getString("key"))
        .isEqualTo("zz-every/2");
  }
}
