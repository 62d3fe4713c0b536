package io.samzakv.api.http;

import io.samzakv.api.BatchRunner;
import io.samzakv.api.KvJson;
import io.samzakv.api.ScanRequest;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.KvService;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** The {@code /v1/kv} and {@code /v1/batch} routes. */
final class KvHandlers {
  static final String SCAN_PATH = "/v1/kv";
  static final String KV_PREFIX = SCAN_PATH + "/";

  private final KvService service;
  private final BatchRunner batch;

  KvHandlers(KvService service) {
    this.service = service;
    this.batch = new BatchRunner(service);
  }

  void handleGet(RoutingContext ctx) {
    get(ctx.request()).onFailure(ctx::fail);
  }

  void handlePut(RoutingContext ctx) {
    put(ctx.request(), ctx.body().buffer()).onFailure(ctx::fail);
  }

  /**
   * {@code GET} and {@code HEAD /v1/kv/{key}} on the bare request, for the router and {@link
   * KeyFastPath} alike: the value, or 304 when {@code If-None-Match} matches its version. Bad input
   * throws a {@link KvException}; a failed lookup fails the returned future.
   */
  Future<?> get(HttpServerRequest request) {
    Key key = keyOf(request);
    IfNoneMatch ifNoneMatch = IfNoneMatch.from(request.headers());
    return service
        .get(key)
        .onSuccess(
            value -> {
              HttpServerResponse response = request.response();
              Responses.etag(response, value.version());
              if (ifNoneMatch.matches(value.version())) {
                response.setStatusCode(304).end();
                return;
              }
              // Set here, as Vert.x leaves it out of a HEAD answer, which must carry GET's.
              response
                  .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
                  .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(value.value().length))
                  .end(Buffer.buffer(value.value()));
            });
  }

  /** {@code PUT /v1/kv/{key}} with its whole body ({@code null} when there was none). */
  Future<?> put(HttpServerRequest request, Buffer body) {
    Key key = keyOf(request);
    byte[] value = body == null ? new byte[0] : body.getBytes();
    return service
        .put(key, value, HttpPreconditions.from(request.headers()))
        .onSuccess(
            written -> {
              Responses.etag(request.response(), written.version());
              Responses.json(
                  request.response(), written.created() ? 201 : 200, KvJson.writtenBody(written));
            });
  }

  void handleDelete(RoutingContext ctx) {
    Key key = keyOf(ctx.request());
    service
        .delete(key, HttpPreconditions.from(ctx.request().headers()))
        .onSuccess(deleted -> Responses.json(ctx.response(), 200, KvJson.deleted(key.text())))
        .onFailure(ctx::fail);
  }

  void handleScan(RoutingContext ctx) {
    QueryParams params = QueryParams.parse(ctx.request().query());
    ScanRequest scan = ScanRequest.parse(params::get);
    service
        .scan(scan.range(), scan.limit())
        .onSuccess(page -> Responses.json(ctx.response(), 200, KvJson.page(page)))
        .onFailure(ctx::fail);
  }

  void handleBatch(RoutingContext ctx) {
    batch
        .run(JsonBodies.object(ctx.body().buffer()))
        .onSuccess(results -> Responses.json(ctx.response(), 200, results))
        .onFailure(ctx::fail);
  }

  /** The raw path after {@code prefix}; empty when the path is the prefix or shorter. */
  static String restOfPath(String path, String prefix) {
    return path.length() <= prefix.length() ? "" : path.substring(prefix.length());
  }

  /** The whole rest of the raw path after {@code /v1/kv/}, percent-decoded (Consul's rule). */
  private static Key keyOf(HttpServerRequest request) {
    return Key.fromUtf8(PercentDecoding.decode(restOfPath(request.path(), KV_PREFIX), false));
  }
}
