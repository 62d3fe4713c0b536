package io.samzakv.api.http;

import io.samzakv.api.KvJson;
import io.samzakv.kv.KvException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers and maps failures to their status and error body. */
final class Responses {
  private static final String JSON = "application/json";
  private static final String RETRY_AFTER_SECONDS = "1";

  private Responses() {}

  static void json(RoutingContext ctx, int status, JsonObject body) {
    json(ctx, status, body.toBuffer());
  }

  static void json(RoutingContext ctx, int status, Buffer body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body);
  }

  static void etag(RoutingContext ctx, long version) {
    ctx.response().putHeader(HttpHeaders.ETAG, "\"" + version + "\"");
  }

  /** Answers {@code failure}; a failure that is not a {@link KvException} is a logged 500. */
  static void failure(RoutingContext ctx, Throwable failure) {
    KvException error = KvJson.asKvException(failure);
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      ctx.request().connection().close();
      return;
    }
    if (error.status() == 503) {
      response.putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
    }
    json(ctx, error.status(), KvJson.error(error));
  }
}
