package io.samzakv.api.http;

import io.samzakv.api.KvJson;
import io.samzakv.kv.KvException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Writes JSON answers and maps failures to their status and error body. Works on the bare request
 * and response, so routed requests and {@link KeyFastPath}'s answer alike.
 */
final class Responses {
  private static final String JSON = "application/json";

  private Responses() {}

  static Future<Void> json(HttpServerResponse response, int status, JsonObject body) {
    return json(response, status, body.toBuffer());
  }

  /** Sends the answer; the future completes once it is written. */
  static Future<Void> json(HttpServerResponse response, int status, Buffer body) {
    return response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body);
  }

  static void etag(HttpServerResponse response, long version) {
    response.putHeader(HttpHeaders.ETAG, "\"" + version + "\"");
  }

  /** Answers {@code failure}; a failure that is not a {@link KvException} is a logged 500. */
  static void failure(HttpServerRequest request, Throwable failure) {
    KvException error = KvJson.asKvException(failure);
    HttpServerResponse response = request.response();
    if (response.headWritten()) {
      request.connection().close();
      return;
    }
    if (error.status() == 503) {
      response.putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(KvJson.RETRY_AFTER_SECONDS));
    }
    json(response, error.status(), KvJson.error(error));
  }
}
