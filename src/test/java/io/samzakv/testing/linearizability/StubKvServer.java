package io.samzakv.testing.linearizability;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * samza-kv's key-value HTTP API over one in-memory map, behind several HTTP servers that stand for
 * the nodes of a cluster, with faults a real cluster shows: 503 before or after applying a request,
 * and answers that come too late. With {@code staleReads} some reads return a key's previous state,
 * as a node serving from a lagging replica would.
 *
 * <p>Thread contract: requests arrive on event loops; the map is guarded by its own lock.
 */
final class StubKvServer implements AutoCloseable {
  private record Entry(String value, long version) {}

  private static final Entry ABSENT = new Entry(null, 0);

  private final Vertx vertx = Vertx.vertx();
  private final boolean staleReads;
  private final long lateMillis;
  private final Map<String, Entry> current = new HashMap<>();
  private final Map<String, Entry> previous = new HashMap<>();
  private List<URI> nodes;

  private StubKvServer(boolean staleReads, long lateMillis) {
    this.staleReads = staleReads;
    this.lateMillis = lateMillis;
  }

  /** Starts {@code nodes} servers on free ports; answers that come late come after lateMillis. */
  static StubKvServer start(int nodes, boolean staleReads, long lateMillis) {
    StubKvServer stub = new StubKvServer(staleReads, lateMillis);
    List<Future<HttpServer>> servers =
        IntStream.range(0, nodes)
            .mapToObj(i -> stub.vertx.createHttpServer().requestHandler(stub::handle).listen(0))
            .toList();
    Future.all(servers).await();
    stub.nodes =
        servers.stream()
            .map(server -> URI.create("http://127.0.0.1:" + server.result().actualPort()))
            .toList();
    return stub;
  }

  List<URI> nodes() {
    return nodes;
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> answer(request, body));
  }

  private void answer(HttpServerRequest request, Buffer body) {
    int dice = ThreadLocalRandom.current().nextInt(100);
    if (dice < 4) {
      request.response().setStatusCode(503).end("{\"error\":\"unavailable\"}");
      return;
    }
    String key =
        URLDecoder.decode(request.path().substring("/v1/kv/".length()), StandardCharsets.UTF_8);
    Reply reply;
    synchronized (current) {
      reply = apply(request, key, body.toString(StandardCharsets.UTF_8));
    }
    if (dice < 8) {
      request.response().setStatusCode(503).end("{\"error\":\"unavailable\"}");
    } else if (dice < 10) {
      vertx.setTimer(lateMillis, id -> reply.send(request));
    } else {
      reply.send(request);
    }
  }

  private record Reply(int status, String body, long etag) {
    void send(HttpServerRequest request) {
      if (etag > 0) {
        request.response().putHeader("ETag", "\"" + etag + "\"");
      }
      request.response().setStatusCode(status).end(body);
    }
  }

  /** Applies one request to the map, under its lock. */
  private Reply apply(HttpServerRequest request, String key, String body) {
    Entry entry = current.getOrDefault(key, ABSENT);
    switch (request.method().name()) {
      case "GET" -> {
        Entry seen =
            staleReads && ThreadLocalRandom.current().nextInt(3) == 0
                ? previous.getOrDefault(key, ABSENT)
                : entry;
        return seen.version() == 0
            ? new Reply(404, "{\"error\":\"not_found\"}", 0)
            : new Reply(200, seen.value(), seen.version());
      }
      case "PUT" -> {
        String ifMatch = request.getHeader("If-Match");
        boolean refused =
            ifMatch != null
                ? !ifMatch.equals("\"" + entry.version() + "\"")
                : request.getHeader("If-None-Match") != null && entry.version() > 0;
        if (refused) {
          JsonObject error =
              new JsonObject()
                  .put("error", "version_mismatch")
                  .put("current_version", entry.version());
          return new Reply(412, error.encode(), 0);
        }
        Entry written = new Entry(body, entry.version() + 1);
        store(key, entry, written);
        JsonObject ok = new JsonObject().put("key", key).put("version", written.version());
        return new Reply(entry.version() == 0 ? 201 : 200, ok.encode(), written.version());
      }
      case "DELETE" -> {
        if (entry.version() == 0) {
          return new Reply(404, "{\"error\":\"not_found\"}", 0);
        }
        store(key, entry, ABSENT);
        return new Reply(200, new JsonObject().put("key", key).put("deleted", true).encode(), 0);
      }
      default -> {
        return new Reply(405, "{\"error\":\"method_not_allowed\"}", 0);
      }
    }
  }

  private void store(String key, Entry before, Entry after) {
    previous.put(key, before);
    current.put(key, after);
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
