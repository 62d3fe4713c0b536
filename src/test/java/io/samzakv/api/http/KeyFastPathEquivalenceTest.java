package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.samzakv.api.NodeStatus;
import io.samzakv.kv.Alarms;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyFastPath}'s promise, checked by difference: the same requests, in the same order, sent
 * to the API with the fast path and to the API without it (each over its own in-memory store), get
 * the same status, headers and body, and are counted under the same route and code.
 */
class KeyFastPathEquivalenceTest {
  private static final int MAX_VALUE = 64;

  private static final List<String> PATHS =
      List.of(
          "/v1/kv/a",
          "/v1/kv/a/b",
          "/v1/kv/a//b",
          "/v1/kv//",
          "/v1/kv/a/",
          "/v1/kv/",
          "/v1/kv",
          "/v1/kv/./a",
          "/v1/kv/../health",
          "/v1/kv/a/..",
          "/v1/kv/.a",
          "/v1/kv/a..b",
          "/v1/kv/a%2Fb",
          "/v1/kv/%61",
          "/v1/kv/%ZZ",
          "/v1/kv/a?x=1",
          "/v1/kv/a?",
          "/v1/kv/caf\u00C3\u00A9",
          "/v1/kv/a+b;c~d",
          "/v1/kv/" + "k".repeat(600),
          "http://127.0.0.1/v1/kv/a");

  /** What follows the request line: headers, then the body (null for none). */
  private record Variant(String headers, String body) {}

  private static final List<Variant> VARIANTS =
      List.of(
          new Variant("Host: h\r\nContent-Length: 3", "abc"),
          new Variant("Host: h", null),
          new Variant("Content-Length: 3", "abc"),
          new Variant(
              "Host: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  + "Content-Length: 5",
              "a=%zz"),
          new Variant(
              "Host: h\r\nContent-Type: Multipart/Form-Data; boundary=b\r\n" + "Content-Length: 3",
              "--b"),
          new Variant("Host: h\r\nTransfer-Encoding: chunked", "3\r\nxyz\r\n0\r\n\r\n"),
          new Variant("Host: h\r\nContent-Length: " + (MAX_VALUE + 1), "v".repeat(MAX_VALUE + 1)),
          new Variant("Host: h\r\nContent-Length: " + MAX_VALUE, "w".repeat(MAX_VALUE)),
          new Variant("Host: h\r\nContent-Length: 007", "abcdefg"),
          new Variant("Host: h\r\nIf-Match: \"1\"\r\nContent-Length: 2", "v2"),
          new Variant("Host: h\r\nIf-Match: 1\r\nContent-Length: 2", "v3"),
          new Variant("Host: h\r\nIf-None-Match: *\r\nContent-Length: 2", "v4"),
          new Variant("Host: h\r\nIf-None-Match: *", null),
          new Variant("Host: h\r\nIf-None-Match: \"1\"", null),
          new Variant("Host: h\r\nIf-None-Match: W/\"9\", \"2\"", null),
          new Variant("Host: h\r\nIf-None-Match: 2", null),
          new Variant("Host: h\r\nExpect: 100-continue\r\nContent-Length: 3", "abc"));

  private static Vertx vertx;
  private static Side fast;
  private static Side routed;

  /** One API under test: its port, its meters, and the readiness it reports. */
  private record Side(int port, PrometheusMeterRegistry registry, AtomicBoolean ready) {
    String exchange(String head, String body) {
      try {
        RawHttp.Response response =
            RawHttp.exchange(
                port, head, body == null ? null : body.getBytes(StandardCharsets.ISO_8859_1));
        return response.status()
            + " "
            + response.headers()
            + " "
            + new String(response.body(), StandardCharsets.ISO_8859_1);
      } catch (UncheckedIOException e) {
        return "no answer: " + e.getCause().getMessage();
      }
    }

    /** Every {@code kv_http_requests_seconds_count} series, by its labels. */
    Map<String, String> requestCounts() {
      Map<String, String> counts = new TreeMap<>();
      for (String line : registry.scrape().split("\n")) {
        if (line.startsWith("kv_http_requests_seconds_count{")) {
          int space = line.lastIndexOf(' ');
          counts.put(line.substring(0, space), line.substring(space + 1));
        }
      }
      return counts;
    }
  }

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    fast = start(ApiRouter::create);
    routed = start(ApiRouter::withoutFastPath);
  }

  private static Side start(BiFunction<Vertx, ApiRouter.Services, Handler<HttpServerRequest>> api) {
    AtomicBoolean ready = new AtomicBoolean(true);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Alarms alarms = new Alarms();
    NodeStatus status =
        new NodeStatus() {
          @Override
          public boolean ready() {
            return ready.get();
          }

          @Override
          public boolean accepting() {
            return ready.get();
          }

          @Override
          public Alarms alarms() {
            return alarms;
          }

          @Override
          public JsonObject cluster() {
            return new JsonObject();
          }
        };
    ApiRouter.Services services =
        new ApiRouter.Services(
            new MapKvService(MAX_VALUE), null, status, registry, MAX_VALUE, null);
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(api.apply(vertx, services))
            .invalidRequestHandler(InvalidRequests::answer);
    server.listen(0, "127.0.0.1").await();
    return new Side(server.actualPort(), registry, ready);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void everyKeyRequestGetsTheSameAnswerAndMetricsWithAndWithoutTheFastPath() {
    List<String> differences = new ArrayList<>();
    Set<String> statuses = new TreeSet<>();
    int sent = 0;
    // PUT and GET in the order that makes 304s, the others for their 405 (Allow) or own answers.
    for (String method : List.of("PUT", "GET", "HEAD", "POST", "PATCH", "DELETE", "GET")) {
      for (String path : PATHS) {
        for (Variant variant : VARIANTS) {
          sent++;
          String answer =
              compare(
                  method + " " + path + " HTTP/1.1\r\n" + variant.headers(),
                  variant.body(),
                  differences);
          statuses.add(answer.substring(0, 3));
        }
      }
    }
    compare("GET /v1/kv/a HTTP/1.0", null, differences);
    compare("PUT /v1/kv/a HTTP/1.0\r\nContent-Length: 3", "abc", differences);
    fast.ready().set(false);
    routed.ready().set(false);
    for (String method : List.of("GET", "HEAD", "PUT")) {
      compare(method + " /v1/kv/a HTTP/1.1\r\nHost: h\r\nContent-Length: 1", "x", differences);
    }

    assertThat(sent).isGreaterThan(2000);
    assertThat(differences).isEmpty();
    assertThat(statuses).contains("200", "201", "304", "400", "404", "405", "412", "413");
    assertThat(fast.requestCounts()).isNotEmpty().isEqualTo(routed.requestCounts());
  }

  /** Sends the request to both sides and notes a difference; answers the fast path's answer. */
  private static String compare(String head, String body, List<String> differences) {
    String viaFastPath = fast.exchange(head, body);
    String routedOnly = routed.exchange(head, body);
    if (!viaFastPath.equals(routedOnly)) {
      differences.add(head + "\n  fast path: " + viaFastPath + "\n  router:    " + routedOnly);
    }
    return viaFastPath;
  }
}
