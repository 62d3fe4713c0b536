package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** PUT, GET and DELETE of one key as API.md §2 fixes them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KvCrudHttpTest {
  @RegisterExtension static final HttpNode node = new HttpNode(Map.of("KV_FSYNC", "never"));

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putOfANewKeyIsCreated201WithVersion1AndETag() {
    HttpResponse<byte[]> put = node.http().put("crud/create", utf8("hello"));

    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(put.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(KvHttp.json(put).getMap())
        .containsOnly(Map.entry("key", "crud/create"), Map.entry("version", 1));
    assertThat(put.headers().firstValue("ETag")).hasValue("\"1\"");
  }

  @Test
  void putOfAnExistingKeyIsUpdated200AndBumpsTheVersion() {
    node.http().put("crud/update", utf8("v1"));

    HttpResponse<byte[]> second = node.http().put("crud/update", utf8("v2"));
    HttpResponse<byte[]> third = node.http().put("crud/update", utf8("v3"));

    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(KvHttp.json(second).getLong("version")).isEqualTo(2);
    assertThat(second.headers().firstValue("ETag")).hasValue("\"2\"");
    assertThat(third.statusCode()).isEqualTo(200);
    assertThat(KvHttp.json(third).getMap())
        .containsOnly(Map.entry("key", "crud/update"), Map.entry("version", 3));
    assertThat(third.headers().firstValue("ETag")).hasValue("\"3\"");
  }

  @Test
  void putThenGetReturnsTheBytesAndVersion() {
    node.http().put("crud/get", utf8("first"));
    node.http().put("crud/get", utf8("second value"));

    HttpResponse<byte[]> get = node.http().get("crud/get");

    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo(utf8("second value"));
    assertThat(get.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    assertThat(get.headers().firstValue("ETag")).hasValue("\"2\"");
  }

  @Test
  void binaryValueWithEveryByteComesBackExactly() {
    byte[] value = new byte[4096];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) (i * 31 + (i >> 8));
    }
    for (int b = 0; b < 256; b++) {
      value[b] = (byte) b;
    }

    assertThat(node.http().put("crud/binary", value).statusCode()).isEqualTo(201);
    HttpResponse<byte[]> get = node.http().get("crud/binary");

    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo(value);
  }

  @Test
  void compressibleValueComesBackExactly() {
    byte[] value = utf8("abcabcabc".repeat(5000));

    node.http().put("crud/compressible", value);

    assertThat(node.http().get("crud/compressible").body()).isEqualTo(value);
  }

  @Test
  void emptyValueIsStoredAndReturnedAsZeroBytes() {
    HttpResponse<byte[]> put = node.http().put("crud/empty", new byte[0]);
    HttpResponse<byte[]> get = node.http().get("crud/empty");

    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEmpty();
    assertThat(get.headers().firstValue("Content-Length")).hasValue("0");
    assertThat(get.headers().firstValue("ETag")).hasValue("\"1\"");
  }

  @Test
  void getOfAnAbsentKeyIs404NotFoundJson() {
    HttpResponse<byte[]> get = node.http().get("crud/never-written");

    assertThat(get.statusCode()).isEqualTo(404);
    assertThat(get.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(KvHttp.json(get).getString("error")).isEqualTo("not_found");
    assertThat(KvHttp.json(get).getString("message")).isNotBlank();
  }

  @Test
  void deleteAnswersDeletedTrueAndTheKeyIsGone() {
    node.http().put("crud/delete", utf8("x"));

    HttpResponse<byte[]> delete = node.http().delete("crud/delete");
    HttpResponse<byte[]> get = node.http().get("crud/delete");

    assertThat(delete.statusCode()).isEqualTo(200);
    assertThat(KvHttp.json(delete).getMap())
        .containsOnly(Map.entry("key", "crud/delete"), Map.entry("deleted", true));
    assertThat(get.statusCode()).isEqualTo(404);
    assertThat(KvHttp.json(get).getString("error")).isEqualTo("not_found");
  }

  @Test
  void deleteOfAnAbsentKeyIs404AndChangesNothing() {
    Map<String, ?> before = node.http().snapshot();

    HttpResponse<byte[]> delete = node.http().delete("crud/absent");

    assertThat(delete.statusCode()).isEqualTo(404);
    assertThat(KvHttp.json(delete).getString("error")).isEqualTo("not_found");
    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @Test
  void deletingTwiceIs404TheSecondTime() {
    node.http().put("crud/twice", utf8("x"));

    assertThat(node.http().delete("crud/twice").statusCode()).isEqualTo(200);
    assertThat(node.http().delete("crud/twice").statusCode()).isEqualTo(404);
  }

  @Test
  void recreateAfterDeleteStartsAgainAtVersion1() {
    node.http().put("crud/recreate", utf8("a"));
    node.http().put("crud/recreate", utf8("b"));
    node.http().put("crud/recreate", utf8("c"));
    node.http().delete("crud/recreate");

    HttpResponse<byte[]> put = node.http().put("crud/recreate", utf8("again"));
    HttpResponse<byte[]> get = node.http().get("crud/recreate");

    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(KvHttp.json(put).getLong("version")).isEqualTo(1);
    assertThat(put.headers().firstValue("ETag")).hasValue("\"1\"");
    assertThat(get.body()).isEqualTo(utf8("again"));
    assertThat(get.headers().firstValue("ETag")).hasValue("\"1\"");
  }
}
