package io.samzakv.api.http;

import io.samzakv.api.http.RouteMetrics.RouteTimer;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/**
 * Serves the plain cases of {@code GET} and {@code PUT /v1/kv/{key}} straight from the request, and
 * hands every other request to the {@link Router} unchanged.
 *
 * <p>Why: per request, vert.x-web's routing context, route matching and body handler cost about a
 * tenth of what a whole cache-hit GET costs here, and these two routes are nearly all the traffic.
 * A request qualifies only where the router would provably do the same: a Host header (which
 * vert.x-web insists on), a key path the router could not route differently (no percent-escapes, no
 * dot or empty segments, no query), and for PUT a declared length within the value limit, no
 * chunking and no {@code Expect}. Answers, metrics and errors come from the same code as the routed
 * requests'.
 */
record KeyFastPath(
    Router router,
    KvHandlers kv,
    NodeHandlers node,
    RouteTimer getTimer,
    RouteTimer putTimer,
    int maxValueBytes)
    implements Handler<HttpServerRequest> {

  @Override
  public void handle(HttpServerRequest request) {
    HttpMethod method = request.method();
    if (method == HttpMethod.GET && isPlainKeyPath(request)) {
      serve(request, getTimer, () -> kv.get(request));
    } else if (method == HttpMethod.PUT && isPlainKeyPath(request) && isPlainBody(request)) {
      // A body that never fully arrives means the client went away: nobody to answer.
      serve(
          request,
          putTimer,
          () ->
              request
                  .body()
                  .compose(body -> kv.put(request, body), clientGone -> Future.succeededFuture()));
    } else {
      router.handle(request);
    }
  }

  private void serve(HttpServerRequest request, RouteTimer timer, Supplier<Future<?>> handler) {
    timer.time(request.response());
    try {
      node.checkReady();
      handler.get().onFailure(failure -> Responses.failure(request, failure));
    } catch (RuntimeException e) {
      Responses.failure(request, e);
    }
  }

  /**
   * {@code /v1/kv/} and a key of plain ASCII without escapes, {@code .}/{@code ..} or empty
   * segments, which vert.x-web's path normalization would rewrite before routing.
   */
  private static boolean isPlainKeyPath(HttpServerRequest request) {
    String path = request.path();
    if (request.query() != null
        || request.authority() == null
        || !path.startsWith(KvHandlers.KV_PREFIX)) {
      return false;
    }
    int segmentStart = KvHandlers.KV_PREFIX.length();
    for (int i = segmentStart; i <= path.length(); i++) {
      char c = i < path.length() ? path.charAt(i) : '/';
      if (c == '/') {
        if (i == segmentStart || isDotSegment(path, segmentStart, i)) {
          return false;
        }
        segmentStart = i + 1;
      } else if (c == '%' || c <= ' ' || c >= 0x7F) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDotSegment(String path, int start, int end) {
    int length = end - start;
    return (length == 1 && path.charAt(start) == '.')
        || (length == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.');
  }

  /**
   * A body of declared length within the limit. Its Content-Type does not matter: a value is opaque
   * bytes, which the router's PUT route ensures too.
   */
  private boolean isPlainBody(HttpServerRequest request) {
    var headers = request.headers();
    if (headers.contains(HttpHeaders.TRANSFER_ENCODING) || headers.contains(HttpHeaders.EXPECT)) {
      return false;
    }
    String length = headers.get(HttpHeaders.CONTENT_LENGTH);
    if (length == null || length.isEmpty() || length.length() > 10) {
      return false;
    }
    for (int i = 0; i < length.length(); i++) {
      if (length.charAt(i) < '0' || length.charAt(i) > '9') {
        return false;
      }
    }
    return Long.parseLong(length) <= maxValueBytes;
  }
}
