package io.samzakv.api.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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

  private final MeterRegistry registry;

  RouteMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * The first handler of a route: times the request from here until its response ends. A platform
   * handler, because vert.x-web lets only those run before a route's body handler.
   */
  PlatformHandler timing(String method, String route) {
    return new Timing(method, route);
  }

  private final class Timing implements PlatformHandler {
    private final String method;
    private final String route;
    private final AtomicReferenceArray<Timer> byStatus = new AtomicReferenceArray<>(STATUS_CODES);

    Timing(String method, String route) {
      this.method = method;
      this.route = route;
    }

    @Override
    public void handle(RoutingContext ctx) {
      long start = System.nanoTime();
      ctx.addEndHandler(
          ended -> {
            int status = Math.min(ctx.response().getStatusCode(), STATUS_CODES - 1);
            timer(status).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
          });
      ctx.next();
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
                .tags("method", method, "route", route, "code", Integer.toString(status))
                .register(registry);
        byStatus.set(status, timer);
      }
      return timer;
    }
  }
}
