package io.samzakv.testing.linearizability;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A concurrent load of reads, writes, CAS (read, then {@code If-Match}) and deletes on a few keys,
 * each request to a random node, recorded into a {@link History} for {@link
 * LinearizabilityChecker}. Every write carries a value no other write uses ({@code c<client>-<n>}),
 * so a read names the write it saw.
 *
 * <p>Each virtual client is a thread with one request in flight. A request that times out, fails to
 * connect or gets an answer other than the ones the API defines for it is recorded as {@link
 * Outcome.Unknown}, and its client pauses briefly: a client hammering a node with no primary would
 * otherwise fill the history with unknown ops, each of which the checker must consider at every
 * later point.
 *
 * <p>Thread contract: {@link #start} and {@link #stop} from one thread; {@link #history} from any.
 */
public final class HttpHistoryLoad {
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration PAUSE_AFTER_UNKNOWN = Duration.ofMillis(100);

  private final List<URI> nodes;
  private final List<String> keys;
  private final Duration requestTimeout;
  private final HttpClient http;
  private final History history = new History();
  private final List<Thread> clients = new ArrayList<>();
  private volatile boolean stopping;

  private HttpHistoryLoad(List<URI> nodes, List<String> keys, Duration requestTimeout) {
    this.nodes = List.copyOf(nodes);
    this.keys = List.copyOf(keys);
    this.requestTimeout = requestTimeout;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(requestTimeout)
            .build();
  }

  /**
   * Starts {@code clients} virtual clients on {@code keys} against {@code nodes} (base URIs such as
   * {@code http://127.0.0.1:8080}), with {@link #DEFAULT_REQUEST_TIMEOUT}.
   */
  public static HttpHistoryLoad start(List<URI> nodes, int clients, List<String> keys) {
    return start(nodes, clients, keys, DEFAULT_REQUEST_TIMEOUT);
  }

  public static HttpHistoryLoad start(
      List<URI> nodes, int clients, List<String> keys, Duration requestTimeout) {
    HttpHistoryLoad load = new HttpHistoryLoad(nodes, keys, requestTimeout);
    for (int client = 0; client < clients; client++) {
      int id = client;
      Thread thread = new Thread(() -> load.run(id), "history-client-" + id);
      thread.setDaemon(true);
      load.clients.add(thread);
      thread.start();
    }
    return load;
  }

  /** The history so far, for waiting until enough ops ran. */
  public History history() {
    return history;
  }

  /**
   * Stops the clients, waits for the requests they have in flight (at most a request timeout), and
   * returns the history; an op still without an answer counts as unknown.
   */
  public History stop() throws InterruptedException {
    stopping = true;
    for (Thread client : clients) {
      client.join(requestTimeout.plusSeconds(5).toMillis());
    }
    return history;
  }

  private void run(int client) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int written = 0;
    while (!stopping && !Thread.currentThread().isInterrupted()) {
      String key = keys.get(random.nextInt(keys.size()));
      int dice = random.nextInt(100);
      Outcome outcome;
      if (dice < 40) {
        outcome = perform(client, Op.Kind.READ, key, null, 0);
      } else if (dice < 65) {
        outcome = perform(client, Op.Kind.WRITE, key, "c" + client + "-" + written++, 0);
      } else if (dice < 90) {
        outcome = readThenCas(client, key, "c" + client + "-" + written++);
      } else {
        outcome = perform(client, Op.Kind.DELETE, key, null, 0);
      }
      if (outcome instanceof Outcome.Unknown) {
        pause();
      }
    }
  }

  /** A CAS on the version a read just returned, or 0 ("absent") when it found nothing. */
  private Outcome readThenCas(int client, String key, String value) {
    Outcome read = perform(client, Op.Kind.READ, key, null, 0);
    if (read instanceof Outcome.Ok ok) {
      return perform(client, Op.Kind.CAS, key, value, ok.version());
    }
    return read instanceof Outcome.NotFound ? perform(client, Op.Kind.CAS, key, value, 0) : read;
  }

  private Outcome perform(int client, Op.Kind kind, String key, String value, long expected) {
    URI node = nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()));
    HttpRequest request = request(node, kind, key, value, expected);
    Op op = history.invoke(client, key, kind, value, expected);
    Outcome outcome;
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      outcome =
          outcome(
              kind, response.statusCode(), response.headers().firstValue("ETag"), response.body());
    } catch (IOException e) {
      outcome = Outcome.unknown(e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome = Outcome.unknown("interrupted");
    }
    history.complete(op, outcome);
    return outcome;
  }

  private HttpRequest request(URI node, Op.Kind kind, String key, String value, long expected) {
    String path = "/v1/kv/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    HttpRequest.Builder request =
        HttpRequest.newBuilder(node.resolve(path)).timeout(requestTimeout);
    return switch (kind) {
      case READ -> request.GET().build();
      case WRITE -> request.PUT(HttpRequest.BodyPublishers.ofString(value)).build();
      case CAS ->
          (expected == 0
                  ? request.header("If-None-Match", "*")
                  : request.header("If-Match", "\"" + expected + "\""))
              .PUT(HttpRequest.BodyPublishers.ofString(value))
              .build();
      case DELETE -> request.DELETE().build();
    };
  }

  /**
   * What a response tells about an op, per the API: only the answers it defines for the request are
   * definite; anything else (503, 500, a body that does not parse) leaves the outcome unknown.
   */
  static Outcome outcome(Op.Kind kind, int status, Optional<String> etag, String body) {
    try {
      return switch (kind) {
        case READ ->
            switch (status) {
              case 200 -> Outcome.read(body, Long.parseLong(etag.orElseThrow().replace("\"", "")));
              case 404 -> Outcome.notFound();
              default -> unexpected(status);
            };
        case WRITE, CAS -> {
          if (status == 200 || status == 201) {
            yield Outcome.written(new JsonObject(body).getLong("version"));
          }
          yield status == 412 && kind == Op.Kind.CAS
              ? Outcome.mismatch(new JsonObject(body).getLong("current_version"))
              : unexpected(status);
        }
        case DELETE ->
            switch (status) {
              case 200 -> Outcome.deleted();
              case 404 -> Outcome.notFound();
              default -> unexpected(status);
            };
      };
    } catch (RuntimeException malformed) {
      return Outcome.unknown("HTTP " + status + " unreadable: " + malformed.getMessage());
    }
  }

  private static Outcome unexpected(int status) {
    return Outcome.unknown("HTTP " + status);
  }

  private void pause() {
    try {
      Thread.sleep(PAUSE_AFTER_UNKNOWN.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
