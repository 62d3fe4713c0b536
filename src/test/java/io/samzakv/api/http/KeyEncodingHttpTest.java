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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How a URL names a key (API.md §2): the whole rest of the path after {@code /v1/kv/},
 * percent-decoded, 1..511 bytes of UTF-8; anything else is a 400 that leaves the store as it was.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeyEncodingHttpTest {
  @RegisterExtension static final HttpNode node = new HttpNode(Map.of("KV_FSYNC", "never"));

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static RawHttp.Response raw(String method, String rawPath, byte[] body) {
    String head =
        method
            + " "
            + rawPath
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: "
            + (body == null ? 0 : body.length);
    return RawHttp.exchange(node.httpPort(), head, body);
  }

  private static void assertInvalid(RawHttp.Response response) {
    assertThat(response.status())
        .as(new String(response.body(), StandardCharsets.UTF_8))
        .isEqualTo(400);
    assertThat(response.header("Content-Type")).isEqualTo("application/json");
    JsonObject error = response.json();
    assertThat(error.getString("error")).isNotBlank();
    assertThat(error.getString("message")).isNotBlank();
  }

  @Test
  void slashAndEncodedSlashNameTheSameKey() {
    HttpResponse<byte[]> created = node.http().send("PUT", "/v1/kv/users/42", utf8("alice"));
    HttpResponse<byte[]> viaEncoded = node.http().send("GET", "/v1/kv/users%2F42", null);
    HttpResponse<byte[]> updated = node.http().send("PUT", "/v1/kv/users%2f42", utf8("bob"));
    HttpResponse<byte[]> viaSlash = node.http().send("GET", "/v1/kv/users/42", null);

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(KvHttp.json(created).getString("key")).isEqualTo("users/42");
    assertThat(viaEncoded.statusCode()).isEqualTo(200);
    assertThat(viaEncoded.body()).isEqualTo(utf8("alice"));
    assertThat(updated.statusCode()).isEqualTo(200);
    assertThat(KvHttp.json(updated).getMap())
        .containsOnly(Map.entry("key", "users/42"), Map.entry("version", 2));
    assertThat(viaSlash.body()).isEqualTo(utf8("bob"));
    assertThat(node.http().snapshot()).containsKey("users/42").doesNotContainKey("users%2F42");
  }

  @Test
  void percent25IsALiteralPercentSign() {
    HttpResponse<byte[]> put = node.http().send("PUT", "/v1/kv/100%25done", utf8("p"));

    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(KvHttp.json(put).getString("key")).isEqualTo("100%done");
    assertThat(node.http().send("GET", "/v1/kv/100%25done", null).body()).isEqualTo(utf8("p"));
    assertThat(node.http().snapshot()).containsKey("100%done");
  }

  @Test
  void plusStaysAPlusInThePath() {
    HttpResponse<byte[]> put = node.http().send("PUT", "/v1/kv/c+plus", utf8("+"));

    assertThat(KvHttp.json(put).getString("key")).isEqualTo("c+plus");
    assertThat(node.http().send("GET", "/v1/kv/c%2Bplus", null).statusCode()).isEqualTo(200);
    assertThat(node.http().send("GET", "/v1/kv/c%20plus", null).statusCode()).isEqualTo(404);
  }

  @Test
  void reservedCharactersEncodedInTheKeyAreKeptVerbatim() {
    String key = "q?x=1&y=2#frag;m=n @!$'()*,:";

    HttpResponse<byte[]> put = node.http().put(key, utf8("reserved"));

    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(KvHttp.json(put).getString("key")).isEqualTo(key);
    assertThat(node.http().get(key).body()).isEqualTo(utf8("reserved"));
  }

  @Test
  void unicodeKeysRoundTripThroughPercentEncodedUtf8() {
    String key = "ключ/日本語/😀/é";

    HttpResponse<byte[]> put = node.http().put(key, utf8("unicode"));
    HttpResponse<byte[]> get = node.http().get(key);

    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(KvHttp.json(put).getString("key")).isEqualTo(key);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo(utf8("unicode"));
    assertThat(node.http().snapshot()).containsKey(key);
  }

  @Test
  void keyOf511BytesIsAccepted() {
    String ascii = "a".repeat(511);
    String multiByte = "日".repeat(170) + "b"; // 170 * 3 + 1 = 511 bytes

    HttpResponse<byte[]> putAscii = node.http().put(ascii, utf8("max"));
    HttpResponse<byte[]> putMultiByte = node.http().put(multiByte, utf8("max"));

    assertThat(putAscii.statusCode()).isEqualTo(201);
    assertThat(KvHttp.json(putAscii).getString("key")).isEqualTo(ascii);
    assertThat(node.http().get(ascii).body()).isEqualTo(utf8("max"));
    assertThat(putMultiByte.statusCode()).isEqualTo(201);
    assertThat(node.http().get(multiByte).body()).isEqualTo(utf8("max"));
  }

  @Test
  void keyOf512BytesIs400ForEveryMethodAndChangesNothing() {
    Map<String, JsonObject> before = node.http().snapshot();
    String ascii = "z".repeat(512);
    String multiByte = "日".repeat(171); // 513 bytes, 171 chars

    for (String key : new String[] {ascii, multiByte}) {
      String path = KvHttp.keyPath(key);
      assertInvalid(raw("PUT", path, utf8("too long")));
      assertInvalid(raw("GET", path, null));
      assertInvalid(raw("DELETE", path, null));
    }
    assertThat(RawHttpKey.errorOf(raw("PUT", KvHttp.keyPath(ascii), utf8("x"))))
        .isEqualTo("invalid_key");
    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"PUT", "GET", "DELETE"})
  void emptyKeyIs400(String method) {
    Map<String, JsonObject> before = node.http().snapshot();

    assertInvalid(raw(method, "/v1/kv/", method.equals("PUT") ? utf8("v") : null));

    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v1/kv/bad%FF",
        "/v1/kv/%C3%28", // a lead byte followed by ASCII
        "/v1/kv/%C0%AF", // overlong '/'
        "/v1/kv/%ED%A0%80", // a UTF-16 surrogate encoded as UTF-8
        "/v1/kv/%F4%90%80%80", // above U+10FFFF
        "/v1/kv/trunc%E6%97" // truncated three-byte sequence
      })
  void invalidUtf8AfterDecodingIs400ForEveryMethodAndChangesNothing(String path) {
    Map<String, JsonObject> before = node.http().snapshot();

    assertInvalid(raw("PUT", path, utf8("v")));
    assertInvalid(raw("GET", path, null));
    assertInvalid(raw("DELETE", path, null));

    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v1/kv/%00", "/v1/kv/a%00b", "/v1/kv/%00lock%2Fjob", "/v1/kv/z%00"})
  void aNulByteInTheKeyIs400ForEveryMethodAndChangesNothing(String path) {
    Map<String, JsonObject> before = node.http().snapshot();

    assertInvalid(raw("PUT", path, utf8("v")));
    assertInvalid(raw("GET", path, null));
    assertInvalid(raw("DELETE", path, null));
    assertThat(RawHttpKey.errorOf(raw("PUT", path, utf8("v")))).isEqualTo("invalid_key");

    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"start=%00", "start=a%00", "end=%00", "prefix=%00", "prefix=%00lock%2F"})
  void aNulByteInAScanBoundIs400(String query) {
    assertInvalid(raw("GET", "/v1/kv?" + query, null));
  }

  @Test
  void rawInvalidUtf8BytesInThePathAre400() {
    Map<String, JsonObject> before = node.http().snapshot();

    assertInvalid(raw("PUT", "/v1/kv/raw\u00FF\u00FE", utf8("v")));

    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/v1/kv/bad%G1", "/v1/kv/bad%", "/v1/kv/bad%4", "/v1/kv/%%41", "/v1/kv/a%1g"})
  void malformedPercentEncodingIs400ForEveryMethodAndChangesNothing(String path) {
    Map<String, JsonObject> before = node.http().snapshot();

    assertInvalid(raw("PUT", path, utf8("v")));
    assertInvalid(raw("GET", path, null));
    assertInvalid(raw("DELETE", path, null));

    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  /** Reads the error code of a raw JSON error answer. */
  private static final class RawHttpKey {
    static String errorOf(RawHttp.Response response) {
      return response.json().getString("error");
    }
  }
}
