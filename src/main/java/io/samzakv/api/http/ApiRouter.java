package io.samzakv.api.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.samzakv.api.NodeStatus;
import io.samzakv.cluster.lock.LockService;
import io.samzakv.kv.KvException;
import io.samzakv.kv.KvService;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** The HTTP API's routes: one line each, handlers in the {@code *Handlers} classes. */
public final class ApiRouter {
  /** Room for a batch of many small ops; a batch of big values belongs in several requests. */
  static final int BATCH_BODY_LIMIT = 32 << 20;

  private static final int LOCK_BODY_LIMIT = 4096;

  private ApiRouter() {}

  /** What the routes serve. */
  public record Services(
      KvService kv,
      LockService locks,
      NodeStatus status,
      PrometheusMeterRegistry registry,
      int maxValueBytes) {}

  public static Router create(Vertx vertx, Services services) {
    KvHandlers kv = new KvHandlers(services.kv());
    LockHandlers locks = new LockHandlers(services.locks());
    NodeHandlers node = new NodeHandlers(services.status());
    int maxValue = services.maxValueBytes();
    Router router = Router.router(vertx);

    router.get("/health").handler(node::handleHealth);
    router.get("/ready").handler(node::handleReady);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(services.registry()));
    router.get("/v1/cluster").handler(node::handleCluster);
    // Each data route checks readiness itself rather than through a shared /v1/* route: one route
    // per request keeps the metrics' route label clean and the 405s of other paths intact.
    Handler<RoutingContext> ready = node::requireReady;
    router.get("/v1/kv").handler(ready).handler(kv::handleScan);
    router.get("/v1/kv/*").handler(ready).handler(kv::handleGet);
    router.put("/v1/kv/*").handler(body(maxValue)).handler(ready).handler(kv::handlePut);
    router.delete("/v1/kv/*").handler(ready).handler(kv::handleDelete);
    router
        .post("/v1/batch")
        .handler(body(BATCH_BODY_LIMIT))
        .handler(ready)
        .handler(kv::handleBatch);
    router
        .post("/v1/locks/*")
        .handler(body(LOCK_BODY_LIMIT))
        .handler(ready)
        .handler(locks::handleAcquire);
    router.delete("/v1/locks/*").handler(ready).handler(locks::handleRelease);

    router.route().failureHandler(ApiRouter::handleFailure);
    // vert.x-web answers a path it cannot normalize (e.g. "%G1") with 400 before any route runs.
    router.errorHandler(400, ctx -> Responses.failure(ctx, fromStatus(400)));
    router.errorHandler(404, ctx -> Responses.failure(ctx, fromStatus(404)));
    router.errorHandler(405, ctx -> Responses.failure(ctx, fromStatus(405)));
    return router;
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
    Responses.failure(ctx, failure != null ? failure : fromStatus(ctx.statusCode()));
  }

  /** The error for a status that vert.x-web produced itself (no route, body too big, ...). */
  private static KvException fromStatus(int status) {
    return switch (status) {
      case 404 -> KvException.notFound("no such route");
      case 405 -> KvException.methodNotAllowed();
      case 413 -> KvException.tooLarge("request body is too large");
      case 400, -1 -> KvException.badRequest("bad_request", "malformed request");
      default ->
          status >= 400 && status < 500
              ? KvException.badRequest("bad_request", "request refused (" + status + ")")
              : KvException.internal("internal error (" + status + ")");
    };
  }
}
