package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hundreds of idle client connections cost the node nothing that other clients notice. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdleConnectionsHttpTest {
  private static final int IDLE_CONNECTIONS = 300;

  @RegisterExtension static final HttpNode node = new HttpNode(Map.of("KV_FSYNC", "never"));
  private final List<Socket> idle = new ArrayList<>();

  @AfterEach
  void closeIdleSockets() throws IOException {
    for (Socket socket : idle) {
      socket.close();
    }
  }

  @Test
  void requestsAreServedWithHundredsOfIdleConnectionsOpen() throws IOException {
    for (int i = 0; i < IDLE_CONNECTIONS; i++) {
      idle.add(RawHttp.connect(node.httpPort()));
    }
    // Half of them also sent part of a request head and then went quiet.
    for (int i = 0; i < IDLE_CONNECTIONS; i += 2) {
      idle.get(i)
          .getOutputStream()
          .write("GET /v1/kv/idle HTTP/1.1\r\nHost: 127".getBytes(StandardCharsets.US_ASCII));
    }

    // Each request must be answered within the client's timeout: none waits behind an idle socket.
    for (int i = 0; i < 50; i++) {
      HttpResponse<byte[]> put =
          node.http().put("idle/k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
      HttpResponse<byte[]> get = node.http().get("idle/k" + i);
      assertThat(put.statusCode()).isEqualTo(201);
      assertThat(get.body()).isEqualTo(("v" + i).getBytes(StandardCharsets.UTF_8));
    }

    // A fresh raw connection among the idle ones is served at once too.
    RawHttp.Response health =
        RawHttp.exchange(
            node.httpPort(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close", null);
    assertThat(health.status()).isEqualTo(200);
  }

  @Test
  void idleConnectionsAreKeptOpenAndStillUsable() throws IOException {
    for (int i = 0; i < IDLE_CONNECTIONS; i++) {
      idle.add(RawHttp.connect(node.httpPort()));
    }
    node.http().put("idle/late", "late".getBytes(StandardCharsets.UTF_8));

    // The first and the last idle connection still get an answer when they finally ask.
    for (Socket socket : List.of(idle.get(0), idle.get(IDLE_CONNECTIONS - 1))) {
      RawHttp.send(
          socket.getOutputStream(), "GET /v1/kv/idle%2Flate HTTP/1.1\r\nHost: 127.0.0.1", null);
      RawHttp.Response response = RawHttp.read(socket.getInputStream());
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("late".getBytes(StandardCharsets.UTF_8));
    }
    // And the others were not dropped: a read waits rather than seeing end of stream.
    Socket middle = idle.get(IDLE_CONNECTIONS / 2);
    middle.setSoTimeout(200);
    try {
      int read = middle.getInputStream().read();
      assertThat(read).as("server closed an idle connection").isNotEqualTo(-1);
    } catch (SocketTimeoutException expected) {
      // still open
    }
  }
}
