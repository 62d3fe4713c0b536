package io.samzakv.api.http;

import io.samzakv.api.BatchRunner;
import io.samzakv.api.KvJson;
import io.samzakv.api.ScanRequest;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.KvService;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
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
    Key key = keyOf(ctx);
    service
        .get(key)
        .onSuccess(
            value -> {
              Responses.etag(ctx, value.version());
              ctx.response()
                  .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
                  .end(Buffer.buffer(value.value()));
            })
        .onFailure(ctx::fail);
  }

  void handlePut(RoutingContext ctx) {
    Key key = keyOf(ctx);
    byte[] value = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    service
        .put(key, value, HttpPreconditions.from(ctx.request().headers()))
        .onSuccess(
            written -> {
              Responses.etag(ctx, written.version());
              Responses.json(ctx, written.created() ? 201 : 200, KvJson.writtenBody(written));
            })
        .onFailure(ctx::fail);
  }

  void handleDelete(RoutingContext ctx) {
    Key key = keyOf(ctx);
    service
        .delete(key, HttpPreconditions.from(ctx.request().headers()))
        .onSuccess(deleted -> Responses.json(ctx, 200, KvJson.deleted(key.text())))
        .onFailure(ctx::fail);
  }

  void handleScan(RoutingContext ctx) {
    if (!ctx.request().path().equals(SCAN_PATH)) {
      // vert.x-web also routes "/v1/kv/" here; that is the key route with an empty key, a 400.
      ctx.next();
      return;
    }
    QueryParams params = QueryParams.parse(ctx.request().query());
    ScanRequest scan = ScanRequest.parse(params::get);
    service
        .scan(scan.range(), scan.limit())
        .onSuccess(page -> Responses.json(ctx, 200, KvJson.page(page)))
        .onFailure(ctx::fail);
  }

  void handleBatch(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw KvException.badRequest("invalid_json", "body is not a JSON object");
    }
    if (body == null) {
      throw KvException.badRequest("invalid_json", "body is not a JSON object");
    }
    batch.run(body).onSuccess(results -> Responses.json(ctx, 200, results)).onFailure(ctx::fail);
  }

  /** The raw path after {@code prefix}; empty when the path is the prefix or shorter. */
  static String restOfPath(RoutingContext ctx, String prefix) {
    String path = ctx.request().path();
    return path.length() <= prefix.length() ? "" : path.substring(prefix.length());
  }

  /** The whole rest of the raw path after {@code /v1/kv/}, percent-decoded (Consul's rule). */
  private static Key keyOf(RoutingContext ctx) {
    return Key.fromUtf8(PercentDecoding.decode(restOfPath(ctx, KV_PREFIX), false));
  }
}
