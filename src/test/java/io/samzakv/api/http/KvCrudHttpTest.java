package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.testing.TestNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** PUT, GET and DELETE of one key as API.md §2 fixes them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KvCrudHttpTest {
  @TempDir static Path dataDir;
  static TestNode node;
  static KvHttp http;

  @BeforeAll
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  static void startNode() {
    node = TestNode.start(dataDir, Map.of("KV_FSYNC", "never"));
    http = new KvHttp(node);
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putOfANewKeyIsCreated201WithVersion1AndETag() {
    HttpResponse<byte[]> put = http.put("crud/create", utf8("hello"));

    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(put.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(KvHttp.json(put).getMap())
        .containsOnly(Map.entry("key", "crud/create"), Map.entry("version", 1));
    assertThat(put.headers().firstValue("ETag")).hasValue("\"1\"");
  }

  @Test
  void putOfAnExistingKeyIsUpdated200AndBumpsTheVersion() {
    http.put("crud/update", utf8("v1"));

    HttpResponse<byte[]> second = http.put("crud/update", utf8("v2"));
    HttpResponse<byte[]> third = http.put("crud/update", utf8("v3"));

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
    http.put("crud/get", utf8("first"));
    http.put("crud/get", utf8("second value"));

    HttpResponse<byte[]> get = http.get("crud/get");

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

    assertThat(http.put("crud/binary", value).statusCode()).isEqualTo(201);
    HttpResponse<byte[]> get = http.get("crud/binary");

    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo(value);
  }

  @Test
  void compressibleValueComesBackExactly() {
    byte[] value = utf8("abcabcabc".repeat(5000));

    http.put("crud/compressible", value);

    assertThat(http.get("crud/compressible").body()).isEqualTo(value);
  }

  @Test
  void emptyValueIsStoredAndReturnedAsZeroBytes() {
    HttpResponse<byte[]> put = http.put("crud/empty", new byte[0]);
    HttpResponse<byte[]> get = http.get("crud/empty");

    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEmpty();
    assertThat(get.headers().firstValue("Content-Length")).hasValue("0");
    assertThat(get.headers().firstValue("ETag")).hasValue("\"1\"");
  }

  @Test
  void getOfAnAbsentKeyIs404NotFoundJson() {
    HttpResponse<byte[]> get = http.get("crud/never-written");

    assertThat(get.statusCode()).isEqualTo(404);
    assertThat(get.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(KvHttp.json(get).getString("error")).isEqualTo("not_found");
    assertThat(KvHttp.json(get).getString("message")).isNotBlank();
  }

  @Test
  void deleteAnswersDeletedTrueAndTheKeyIsGone() {
    http.put("crud/delete", utf8("x"));

    HttpResponse<byte[]> delete = http.delete("crud/delete");
    HttpResponse<byte[]> get = http.get("crud/delete");

    assertThat(delete.statusCode()).isEqualTo(200);
    assertThat(KvHttp.json(delete).getMap())
        .containsOnly(Map.entry("key", "crud/delete"), Map.entry("deleted", true));
    assertThat(get.statusCode()).isEqualTo(404);
    assertThat(KvHttp.json(get).getString("error")).isEqualTo("not_found");
  }

  @Test
  void deleteOfAnAbsentKeyIs404AndChangesNothing() {
    Map<String, ?> before = http.snapshot();

    HttpResponse<byte[]> delete = http.delete("crud/absent");

    assertThat(delete.statusCode()).isEqualTo(404);
    assertThat(KvHttp.json(delete).getString("error")).isEqualTo("not_found");
    assertThat(http.snapshot()).isEqualTo(before);
  }

  @Test
  void deletingTwiceIs404TheSecondTime() {
    http.put("crud/twice", utf8("x"));

    assertThat(http.delete("crud/twice").statusCode()).isEqualTo(200);
    assertThat(http.delete("crud/twice").statusCode()).isEqualTo(404);
  }

  @Test
  void recreateAfterDeleteStartsAgainAtVersion1() {
    http.put("crud/recreate", utf8("a"));
    http.put("crud/recreate", utf8("b"));
    http.put("crud/recreate", utf8("c"));
    http.delete("crud/recreate");

    HttpResponse<byte[]> put = http.put("crud/recreate", utf8("again"));
    HttpResponse<byte[]> get = http.get("crud/recreate");

    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(KvHttp.json(put).getLong("version")).isEqualTo(1);
    assertThat(put.headers().firstValue("ETag")).hasValue("\"1\"");
    assertThat(get.body()).isEqualTo(utf8("again"));
    assertThat(get.headers().firstValue("ETag")).hasValue("\"1\"");
  }
}
