package io.samzakv.api.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Request counts and latencies per route, method and status ({@code kv_http_requests_seconds}).
 *
 * <p>Vert.x's own HTTP server metrics build tags and look meters up on every request, which cost
 * about a sixth of a cache-hit GET's CPU here; these timers are found by array index instead, and
 * created on a status's first use only.
 *
 * <p>Thread contract: safe for any thread.
 */
final class RouteMetrics {
  private static final int STATUS_CODES = 600;

  /** nginx's code for a request whose client went away before the answer: it shows up as such. */
  private static final int CLIENT_CLOSED_REQUEST = 499;

  private final MeterRegistry registry;

  RouteMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The timer of one route; a route served by both the router and the fast path shares one. */
  RouteTimer timer(HttpMethod method, String route) {
    return new RouteTimer(method, route);
  }

  /**
   * As the first handler of a route, times the request from there until its response ends: a
   * platform handler, because vert.x-web lets only those run before a route's body handler.
   */
  final class RouteTimer implements PlatformHandler {
    private final HttpMethod method;
    private final String route;
    private final AtomicReferenceArray<Timer> byStatus = new AtomicReferenceArray<>(STATUS_CODES);

    private RouteTimer(HttpMethod method, String route) {
      this.method = method;
      this.route = route;
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
      timer(status).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    private Timer timer(int status) {
      Timer timer = byStatus.get(status);
      if (timer == null) {
        // A racing registration returns the same meter, so losing the race costs nothing.
        timer =
            Timer.builder("kv.http.requests")
                .description("HTTP requests by route, method and status")
                // A histogram, so p99 per route is a histogram_quantile away; buckets from 50 µs,
                // as a cached GET answers well under Micrometer's default 1 ms floor.
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.of(50, ChronoUnit.MICROS))
                .tags("method", method.name(), "route", route, "code", Integer.toString(status))
                .register(registry);
        byStatus.set(status, timer);
      }
      return timer;
    }
  }
}
