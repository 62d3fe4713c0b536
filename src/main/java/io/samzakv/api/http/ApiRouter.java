package io.samzakv.api.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.samzakv.api.NodeStatus;
import io.samzakv.api.http.RouteMetrics.RouteTimer;
import io.samzakv.kv.KvException;
import io.samzakv.kv.KvService;
import io.samzakv.kv.ScrubService;
import io.samzakv.lock.LockService;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.regex.Pattern;

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
      int maxValueBytes,
      ScrubService scrub) {}

  public static Handler<HttpServerRequest> create(Vertx vertx, Services services) {
    return create(vertx, services, true);
  }

  /** The same API with every request routed: what {@link KeyFastPath} must not differ from. */
  static Handler<HttpServerRequest> withoutFastPath(Vertx vertx, Services services) {
    return create(vertx, services, false);
  }

  private static Handler<HttpServerRequest> create(
      Vertx vertx, Services services, boolean fastPath) {
    RouteMetrics metrics = new RouteMetrics(services.registry());
    KvHandlers kv = new KvHandlers(services.kv());
    LockHandlers locks = new LockHandlers(services.locks());
    NodeHandlers node = new NodeHandlers(services.status());
    int maxValue = services.maxValueBytes();
    Router router = Router.router(vertx);

    route(router, metrics.probe(HttpMethod.GET, "/health")).handler(node::handleHealth);
    route(router, metrics.probe(HttpMethod.GET, "/ready")).handler(node::handleReady);
    route(router, metrics.probe(HttpMethod.GET, "/metrics"))
        .handler(PrometheusScrapingHandler.create(services.registry()));
    route(router, metrics, HttpMethod.GET, "/v1/cluster").handler(node::handleCluster);
    route(router, metrics, HttpMethod.POST, "/v1/admin/scrub")
        .handler(new AdminHandlers(services.scrub())::handleScrub);
    // Each data route checks readiness itself rather than through a shared /v1/* route, which
    // would turn the 405s of other /v1 paths into 404s.
    Handler<RoutingContext> ready = node::requireReady;
    // A regex, as an exact route also takes "/v1/kv/" (the key route's empty key, a 400).
    router
        .routeWithRegex(HttpMethod.GET, Pattern.quote(KvHandlers.SCAN_PATH))
        .handler(metrics.timer(HttpMethod.GET, KvHandlers.SCAN_PATH))
        .handler(ready)
        .handler(kv::handleScan);
    RouteTimer getKey = metrics.timer(HttpMethod.GET, KEY_ROUTE);
    RouteTimer putKey = metrics.timer(HttpMethod.PUT, KEY_ROUTE);
    route(router, getKey).handler(ready).handler(kv::handleGet);
    // HEAD is GET without the body: the same handler, as Vert.x leaves a HEAD answer's body out.
    route(router, metrics, HttpMethod.HEAD, KEY_ROUTE).handler(ready).handler(kv::handleGet);
    route(router, putKey)
        .handler((PlatformHandler) ApiRouter::valueIsOpaque)
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

    // vert.x-web's own refusals: a missing Host header, a body over its limit (failure handler);
    // a path it cannot normalize, e.g. "%G1", no route, a wrong method (error handlers).
    router.route().failureHandler(ApiRouter::handleFailure);
    for (int status : new int[] {400, 404}) {
      // An error handler's context does not always carry the status it handles.
      router.errorHandler(status, ctx -> Responses.failure(ctx.request(), refusal(ctx, status)));
    }
    // RFC 9110: a 405 lists what the path does take. The scan route is a regex, which vert.x-web
    // does not expose, so it is named here.
    AllowedMethods allowed =
        AllowedMethods.of(router.getRoutes()).with(HttpMethod.GET, KvHandlers.SCAN_PATH);
    router.errorHandler(
        405,
        ctx -> {
          ctx.response().putHeader(HttpHeaders.ALLOW, allowed.allow(ctx.normalizedPath()));
          Responses.failure(ctx.request(), refusal(ctx, 405));
        });
    return fastPath ? new KeyFastPath(router, kv, node, getKey, putKey, maxValue) : router;
  }

  /** A route whose requests are counted and timed; its handlers follow. */
  private static Route route(Router router, RouteMetrics metrics, HttpMethod method, String path) {
    return route(router, metrics.timer(method, path));
  }

  /** The route that {@code timer} times, with the timer as its first handler. */
  private static Route route(Router router, RouteTimer timer) {
    return router.route(timer.method(), timer.route()).handler(timer);
  }

  /**
   * A value is opaque bytes whatever its Content-Type says: without this, vert.x-web's body handler
   * decodes a form out of a {@code curl -d} value and refuses one with a stray {@code %}.
   */
  private static void valueIsOpaque(RoutingContext ctx) {
    ctx.request().headers().remove(HttpHeaders.CONTENT_TYPE);
    ctx.next();
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
    boolean refused = status >= 400 && status < 500 && !(failure instanceof KvException);
    Responses.failure(ctx.request(), refused || failure == null ? refusal(ctx, status) : failure);
  }

  /**
   * The error for a status that vert.x-web produced itself. Its exception's text is Vert.x's or
   * Netty's wording of the moment, so the client gets ours.
   */
  private static KvException refusal(RoutingContext ctx, int status) {
    return switch (status) {
      case 404 -> KvException.notFound("no such route");
      case 405 -> KvException.methodNotAllowed();
      case 413 -> KvException.tooLarge("request body is too large");
      case 400 ->
          KvException.badRequest(
              "bad_request",
              ctx.request().authority() == null && ctx.request().version() != HttpVersion.HTTP_1_0
                  ? "an HTTP/1.1 request needs a Host header"
                  : "malformed request");
      default ->
          status >= 400 && status < 500
              ? KvException.badRequest("bad_request", "request refused (" + status + ")")
              : KvException.internal("internal error (" + status + ")");
    };
  }
}
