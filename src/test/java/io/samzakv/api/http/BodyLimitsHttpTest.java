package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Values up to {@code KV_MAX_VALUE_BYTES} are stored; bigger ones are 413 however they arrive. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BodyLimitsHttpTest {
  private static final int MAX = 1024;

  @RegisterExtension
  static final HttpNode node =
      new HttpNode(Map.of("KV_FSYNC", "never", "KV_MAX_VALUE_BYTES", Integer.toString(MAX)));

  private static byte[] bytes(int length) {
    byte[] value = new byte[length];
    Arrays.fill(value, (byte) 'v');
    value[length - 1] = (byte) 0xFF;
    return value;
  }

  private static void assertTooLarge(int status, JsonObject error) {
    assertThat(status).isEqualTo(413);
    assertThat(error.getString("error")).isEqualTo("too_large");
    assertThat(error.getString("message")).isNotBlank();
  }

  private static String chunk(int size) {
    return Integer.toHexString(size) + "\r\n" + "c".repeat(size) + "\r\n";
  }

  @Test
  void valueOfExactlyTheLimitIsStored() {
    byte[] value = bytes(MAX);

    HttpResponse<byte[]> put = node.http().put("limits/exact", value);

    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(node.http().get("limits/exact").body()).isEqualTo(value);
  }

  @Test
  void valueOneByteOverTheLimitIs413AndNotStored() {
    node.http().put("limits/over", bytes(10));
    Map<String, JsonObject> before = node.http().snapshot();

    HttpResponse<byte[]> put = node.http().put("limits/over", bytes(MAX + 1));
    HttpResponse<byte[]> create = node.http().put("limits/over-new", bytes(MAX + 1));

    assertTooLarge(put.statusCode(), KvHttp.json(put));
    assertTooLarge(create.statusCode(), KvHttp.json(create));
    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @Test
  void hugeDeclaredContentLengthIs413WithoutTheBodyBeingSent() throws IOException {
    Map<String, JsonObject> before = node.http().snapshot();
    try (Socket socket = RawHttp.connect(node.httpPort())) {
      // Only the head: a server that waited for 100 MB would time the read out.
      RawHttp.send(
          socket.getOutputStream(),
          "PUT /v1/kv/limits/huge HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000000",
          null);

      RawHttp.Response response = RawHttp.read(socket.getInputStream());

      assertTooLarge(response.status(), response.json());
    }
    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @Test
  void hugeDeclaredContentLengthOnABatchIs413WithoutTheBodyBeingSent() throws IOException {
    try (Socket socket = RawHttp.connect(node.httpPort())) {
      RawHttp.send(
          socket.getOutputStream(),
          "POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              + "Content-Length: 100000000000",
          null);

      RawHttp.Response response = RawHttp.read(socket.getInputStream());

      assertTooLarge(response.status(), response.json());
    }
  }

  @Test
  void chunkedBodyOverTheLimitIs413AndNotStored() throws IOException {
    Map<String, JsonObject> before = node.http().snapshot();
    try (Socket socket = RawHttp.connect(node.httpPort())) {
      OutputStream out = socket.getOutputStream();
      RawHttp.send(
          out,
          "PUT /v1/kv/limits/chunked HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked",
          null);
      String body = chunk(512) + chunk(512) + chunk(1) + "0\r\n\r\n";
      out.write(body.getBytes(StandardCharsets.US_ASCII));
      out.flush();

      RawHttp.Response response = RawHttp.read(socket.getInputStream());

      assertTooLarge(response.status(), response.json());
    }
    assertThat(node.http().snapshot()).isEqualTo(before);
  }

  @Test
  void chunkedBodyAtTheLimitIsStored() throws IOException {
    try (Socket socket = RawHttp.connect(node.httpPort())) {
      OutputStream out = socket.getOutputStream();
      RawHttp.send(
          out,
          "PUT /v1/kv/limits/chunked-ok HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked",
          null);
      out.write((chunk(512) + chunk(512) + "0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();

      RawHttp.Response response = RawHttp.read(socket.getInputStream());

      assertThat(response.status()).isEqualTo(201);
    }
    assertThat(node.http().get("limits/chunked-ok").body()).hasSize(MAX);
  }

  @Test
  void batchPutOverTheLimitFailsAloneWith413() {
    String ok = Base64.getEncoder().encodeToString(bytes(MAX));
    String tooBig = Base64.getEncoder().encodeToString(bytes(MAX + 1));
    JsonArray ops =
        new JsonArray()
            .add(
                new JsonObject()
                    .put("op", "put")
                    .put("key", "limits/batch-big")
                    .put("value", tooBig))
            .add(new JsonObject().put("op", "put").put("key", "limits/batch-ok").put("value", ok));

    HttpResponse<byte[]> response =
        node.http().post("/v1/batch", new JsonObject().put("ops", ops).encode());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonArray results = KvHttp.json(response).getJsonArray("results");
    assertThat(results.getJsonObject(0).getInteger("status")).isEqualTo(413);
    assertThat(results.getJsonObject(0).getString("error")).isEqualTo("too_large");
    assertThat(results.getJsonObject(1).getInteger("status")).isEqualTo(201);
    assertThat(node.http().get("limits/batch-big").statusCode()).isEqualTo(404);
    assertThat(node.http().get("limits/batch-ok").body()).hasSize(MAX);
  }

  @Test
  void serverStillServesAfterRefusingBigBodies() {
    for (int i = 0; i < 3; i++) {
      assertThat(node.http().put("limits/again", bytes(MAX + 1)).statusCode()).isEqualTo(413);
    }

    assertThat(node.http().put("limits/again", bytes(1)).statusCode()).isEqualTo(201);
  }
}
