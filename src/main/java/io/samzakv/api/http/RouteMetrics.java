package io.samzakv.api.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.samzakv.metrics.LatencyTimers;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Request counts and latencies per route, method and status ({@code kv_http_requests_seconds}, a
 * histogram of {@link LatencyTimers}' buckets), and for the probe routes ({@code /health}, {@code
 * /ready}, {@code /metrics}) a plain count per route and status ({@code kv_http_probes_total}):
 * their latency says nothing about the store, and a histogram per probe status was most of {@code
 * /metrics}.
 *
 * <p>Vert.x's own HTTP server metrics build tags and look meters up on every request, which cost
 * about a sixth of a cache-hit GET's CPU here; these meters are found by array index instead, and
 * created on a status's first use only.
 *
 * <p>Thread contract: safe for any thread.
 */
final class RouteMetrics {
  private static final int STATUS_CODES = 600;

  /** nginx's code for a request whose client went away before the answer: it shows up as such. */
  private static final int CLIENT_CLOSED_REQUEST = 499;

  /** Records one request that ended with a status after {@code nanos}. */
  private interface Recorder {
    void record(long nanos);
  }

  private final MeterRegistry registry;

  RouteMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The timer of one route; a route served by both the router and the fast path shares one. */
  RouteTimer timer(HttpMethod method, String route) {
    return new RouteTimer(method, route, true);
  }

  /** The request counter of a probe route: counted by status, not timed. */
  RouteTimer probe(HttpMethod method, String route) {
    return new RouteTimer(method, route, false);
  }

  /**
   * As the first handler of a route, times the request from there until its response ends (or, for
   * a probe, counts it then): a platform handler, because vert.x-web lets only those run before a
   * route's body handler.
   */
  final class RouteTimer implements PlatformHandler {
    private final HttpMethod method;
    private final String route;
    private final boolean timed;
    private final AtomicReferenceArray<Recorder> byStatus =
        new AtomicReferenceArray<>(STATUS_CODES);

    private RouteTimer(HttpMethod method, String route, boolean timed) {
      this.method = method;
      this.route = route;
      this.timed = timed;
    }

    HttpMethod method() {
      return method;
    }

    String route() {
      return route;
    }

    @Override
    public void handle(RoutingContext ctx) {
      long start = System.nanoTime();
      ctx.addEndHandler(ended -> record(ctx.response(), start));
      ctx.next();
    }

    /**
     * Times a request that no router serves, from now until {@code response} ends. Takes the
     * response's one end handler.
     */
    void time(HttpServerResponse response) {
      long start = System.nanoTime();
      response.endHandler(ended -> record(response, start));
    }

    private void record(HttpServerResponse response, long start) {
      // End handlers also run when the connection closes before an answer; that is no 200.
      int status =
          response.ended()
              ? Math.min(response.getStatusCode(), STATUS_CODES - 1)
              : CLIENT_CLOSED_REQUEST;
      recorder(status).record(System.nanoTime() - start);
    }

    private Recorder recorder(int status) {
      Recorder recorder = byStatus.get(status);
      if (recorder == null) {
        // A racing registration returns the same meter, so losing the race costs nothing.
        recorder = timed ? timerOf(status) : counterOf(status);
        byStatus.set(status, recorder);
      }
      return recorder;
    }

    private Recorder timerOf(int status) {
      Timer timer =
          LatencyTimers.builder("kv.http.requests")
              .description("HTTP requests by route, method and status")
              .tags("method", method.name(), "route", route, "code", Integer.toString(status))
              .register(registry);
      return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    private Recorder counterOf(int status) {
      Counter counter =
          Counter.builder("kv.http.probes")
              .description("Requests to /health, /ready and /metrics by route and status")
              .tags("route", route, "code", Integer.toString(status))
              .register(registry);
      return nanos -> counter.increment();
    }
  }
}
