package io.samzakv.api.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.samzakv.api.NodeStatus;
import io.samzakv.api.http.RouteMetrics.RouteTimer;
import io.samzakv.cluster.lock.LockService;
import io.samzakv.kv.KvException;
import io.samzakv.kv.KvService;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * The HTTP API's routes: one line each, handlers in the {@code *Handlers} classes; in front of
 * them, {@link KeyFastPath} for the plain single-key GETs and PUTs.
 */
public final class ApiRouter {
  /** Room for a batch of many small ops; a batch of big values belongs in several requests. */
  static final int BATCH_BODY_LIMIT = 32 << 20;

  private static final int LOCK_BODY_LIMIT = 4096;
  private static final String KEY_ROUTE = "/v1/kv/*";

  private ApiRouter() {}

  /** What the routes serve. */
  public record Services(
      KvService kv,
      LockService locks,
      NodeStatus status,
      PrometheusMeterRegistry registry,
      int maxValueBytes) {}

  public static Handler<HttpServerRequest> create(Vertx vertx, Services services) {
    RouteMetrics metrics = new RouteMetrics(services.registry());
    KvHandlers kv = new KvHandlers(services.kv());
    LockHandlers locks = new LockHandlers(services.locks());
    NodeHandlers node = new NodeHandlers(services.status());
    int maxValue = services.maxValueBytes();
    Router router = Router.router(vertx);

    route(router, metrics, HttpMethod.GET, "/health").handler(node::handleHealth);
    route(router, metrics, HttpMethod.GET, "/ready").handler(node::handleReady);
    route(router, metrics, HttpMethod.GET, "/metrics")
        .handler(PrometheusScrapingHandler.create(services.registry()));
    route(router, metrics, HttpMethod.GET, "/v1/cluster").handler(node::handleCluster);
    // Each data route checks readiness itself rather than through a shared /v1/* route, which
    // would turn the 405s of other /v1 paths into 404s.
    Handler<RoutingContext> ready = node::requireReady;
    route(router, metrics, HttpMethod.GET, "/v1/kv").handler(ready).handler(kv::handleScan);
    RouteTimer getKey = metrics.timing(HttpMethod.GET.name(), KEY_ROUTE);
    RouteTimer putKey = metrics.timing(HttpMethod.PUT.name(), KEY_ROUTE);
    router.route(HttpMethod.GET, KEY_ROUTE).handler(getKey).handler(ready).handler(kv::handleGet);
    router
        .route(HttpMethod.PUT, KEY_ROUTE)
        .handler(putKey)
        .handler(body(maxValue))
        .handler(ready)
        .handler(kv::handlePut);
    route(router, metrics, HttpMethod.DELETE, KEY_ROUTE).handler(ready).handler(kv::handleDelete);
    route(router, metrics, HttpMethod.POST, "/v1/batch")
        .handler(body(BATCH_BODY_LIMIT))
        .handler(ready)
        .handler(kv::handleBatch);
    route(router, metrics, HttpMethod.POST, "/v1/locks/*")
        .handler(body(LOCK_BODY_LIMIT))
        .handler(ready)
        .handler(locks::handleAcquire);
    route(router, metrics, HttpMethod.DELETE, "/v1/locks/*")
        .handler(ready)
        .handler(locks::handleRelease);

    router.route().failureHandler(ApiRouter::handleFailure);
    // vert.x-web answers a path it cannot normalize (e.g. "%G1") with 400 before any route runs.
    router.errorHandler(
        400, ctx -> Responses.failure(ctx.request(), fromStatus(400, ctx.failure())));
    router.errorHandler(404, ctx -> Responses.failure(ctx.request(), fromStatus(404, null)));
    router.errorHandler(405, ctx -> Responses.failure(ctx.request(), fromStatus(405, null)));
    return new KeyFastPath(router, kv, node, getKey, putKey, maxValue);
  }

  /** A route whose requests are counted and timed; its handlers follow. */
  private static Route route(Router router, RouteMetrics metrics, HttpMethod method, String path) {
    return router.route(method, path).handler(metrics.timing(method.name(), path));
  }

  /**
   * Buffers a body up to {@code limit} bytes; a larger declared Content-Length is refused before
   * reading, and a chunked body as soon as it passes the limit, so nothing big is held whole.
   */
  private static BodyHandler body(long limit) {
    return BodyHandler.create(false).setBodyLimit(limit);
  }

  private static void handleFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int status = ctx.statusCode();
    if (status >= 400 && status < 500 && !(failure instanceof KvException)) {
      // vert.x-web refused the request itself (no Host header, body too big, ...): the client's
      // mistake, whatever exception came with it.
      failure = fromStatus(status, failure);
    }
    Responses.failure(ctx.request(), failure != null ? failure : fromStatus(status, null));
  }

  /**
   * The error for a status that vert.x-web produced itself (no route, body too big, ...), with the
   * message of the {@code cause} it gave, if any, for a 400.
   */
  private static KvException fromStatus(int status, Throwable cause) {
    return switch (status) {
      case 404 -> KvException.notFound("no such route");
      case 405 -> KvException.methodNotAllowed();
      case 413 -> KvException.tooLarge("request body is too large");
      case 400, -1 ->
          KvException.badRequest(
              "bad_request",
              cause != null && cause.getMessage() != null
                  ? cause.getMessage()
                  : "malformed request");
      default ->
          status >= 400 && status < 500
              ? KvException.badRequest("bad_request", "request refused (" + status + ")")
              : KvException.internal("internal error (" + status + ")");
    };
  }
}
