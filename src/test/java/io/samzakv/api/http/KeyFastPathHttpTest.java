package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The single-key GETs and PUTs that {@link KeyFastPath} answers itself, and the ones next to them
 * that it must leave to the router: either way a user sees the same answers.
 */
class KeyFastPathHttpTest {
  @RegisterExtension static final HttpNode node = new HttpNode(Map.of());

  @ParameterizedTest
  @ValueSource(strings = {"/v1/kv/fast/form", "/v1/kv/fast%2Fform-escaped"})
  void formTypedBodyAsCurlDashDSendsItIsStoredVerbatimOnEitherPath(String rawPath) {
    byte[] form = "a=1&b=two+words&c=%41&d=100%".getBytes(StandardCharsets.US_ASCII);

    RawHttp.Response put =
        RawHttp.exchange(
            node.httpPort(),
            "PUT "
                + rawPath
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                + form.length,
            form);

    assertThat(put.status()).isEqualTo(201);
    assertThat(get(rawPath).body()).isEqualTo(form);
  }

  @Test
  void multipartTypedBodyIsStoredVerbatim() {
    byte[] body = "--x\r\nnot really multipart".getBytes(StandardCharsets.US_ASCII);

    RawHttp.Response put =
        RawHttp.exchange(
            node.httpPort(),
            "PUT /v1/kv/fast/multipart HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: "
                + body.length,
            body);

    assertThat(put.status()).isEqualTo(201);
    assertThat(get("/v1/kv/fast/multipart").body()).isEqualTo(body);
  }

  @Test
  void emptySegmentsNameTheSameKeyAsTheirEscapedForm() {
    node.http().put("fast//double/", new byte[] {7});

    assertThat(get("/v1/kv/fast//double/").body()).containsExactly(7);
    assertThat(get("/v1/kv/fast%2F%2Fdouble%2F").body()).containsExactly(7);
  }

  @Test
  void expectContinueIsHonouredAndTheBodyStored() throws IOException {
    byte[] value = "after-continue".getBytes(StandardCharsets.US_ASCII);
    try (Socket socket = RawHttp.connect(node.httpPort())) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      RawHttp.send(
          out,
          "PUT /v1/kv/fast/expect HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
              + "Content-Length: "
              + value.length,
          null);
      assertThat(RawHttp.read(in).status()).isEqualTo(100);
      out.write(value);
      out.flush();

      assertThat(RawHttp.read(in).status()).isEqualTo(201);
    }
    assertThat(node.http().get("fast/expect").body()).isEqualTo(value);
  }

  @Test
  void pipelinedPutThenGetOnOneConnectionSeesTheWriteInOrder() throws IOException {
    try (Socket socket = RawHttp.connect(node.httpPort())) {
      OutputStream out = socket.getOutputStream();
      String put = "PUT /v1/kv/fast/pipelined HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3";
      String get = "GET /v1/kv/fast/pipelined HTTP/1.1\r\nHost: 127.0.0.1";
      out.write(
          (put + "\r\n\r\nabc" + get + "\r\n\r\n" + put + "\r\n\r\nxyz" + get + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();

      RawHttp.Response created = RawHttp.read(in);
      RawHttp.Response first = RawHttp.read(in);
      RawHttp.Response updated = RawHttp.read(in);
      RawHttp.Response second = RawHttp.read(in);

      assertThat(created.status()).isEqualTo(201);
      assertThat(new String(first.body(), StandardCharsets.US_ASCII)).isEqualTo("abc");
      assertThat(first.header("ETag")).isEqualTo("\"1\"");
      assertThat(updated.status()).isEqualTo(200);
      assertThat(new String(second.body(), StandardCharsets.US_ASCII)).isEqualTo("xyz");
      assertThat(second.header("ETag")).isEqualTo("\"2\"");
    }
  }

  @Test
  void dotSegmentsAreResolvedByTheRouterNotTakenAsKeys() {
    RawHttp.Response up = get("/v1/kv/../../health");
    RawHttp.Response noRoute = get("/v1/kv/..");

    assertThat(up.status()).isEqualTo(200);
    assertThat(up.json().getString("status")).isEqualTo("UP");
    assertThat(noRoute.status()).isEqualTo(404);
    assertThat(noRoute.json().getString("message")).isEqualTo("no such route");
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET /v1/kv/fast/k", "PUT /v1/kv/fast/k", "GET /health"})
  void http11RequestWithoutHostIs400WhicheverPathServesIt(String requestLine) {
    RawHttp.Response response =
        RawHttp.exchange(
            node.httpPort(),
            requestLine + " HTTP/1.1\r\nContent-Length: 1",
            "v".getBytes(StandardCharsets.US_ASCII));

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().getString("error")).isEqualTo("bad_request");
    assertThat(response.json().getString("message")).contains("Host");
    assertThat(node.http().get("fast/k").statusCode()).isEqualTo(404);
  }

  @Test
  void dotsInsideASegmentArePartOfTheKey() {
    assertThat(node.http().put("fast/v1..2/.env", new byte[] {1}).statusCode()).isEqualTo(201);

    RawHttp.Response get = get("/v1/kv/fast/v1..2/.env");

    assertThat(get.status()).isEqualTo(200);
    assertThat(get.body()).containsExactly(1);
  }

  private static RawHttp.Response get(String rawPath) {
    return RawHttp.exchange(
        node.httpPort(), "GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1", null);
  }

  @Test
  void badPreconditionOnTheFastPathIs400AndChangesNothing() {
    node.http().put("fast/cas", "v1".getBytes(StandardCharsets.US_ASCII));

    RawHttp.Response put =
        RawHttp.exchange(
            node.httpPort(),
            "PUT /v1/kv/fast/cas HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-Match: 3\r\nContent-Length: 2",
            "v2".getBytes(StandardCharsets.US_ASCII));

    assertThat(put.status()).isEqualTo(400);
    assertThat(put.json().getString("error")).isEqualTo("invalid_header");
    assertThat(node.http().get("fast/cas").body()).asString().isEqualTo("v1");
  }
}
