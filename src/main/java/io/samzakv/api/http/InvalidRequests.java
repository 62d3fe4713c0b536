package io.samzakv.api.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.samzakv.api.KvJson;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers the requests that the HTTP decoder refused before any handler could see them (a request
 * line or headers too long, bytes that are not HTTP) with the same JSON error as everything else,
 * where Vert.x's default handler sends an empty body. The statuses are Vert.x's: 414, 431, 400.
 */
final class InvalidRequests {
  private InvalidRequests() {}

  static void answer(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String code;
    String message;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      code = "uri_too_long";
      message = "the request line is too long";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      code = "headers_too_large";
      message = "the request headers are too large";
    } else {
      status = 400;
      code = "bad_request";
      message = "malformed HTTP request";
    }
    // The decoder cannot find where this request ends, so the connection cannot carry another.
    request.response().putHeader(HttpHeaders.CONNECTION, "close");
    Responses.json(request.response(), status, KvJson.error(code, message))
        .onComplete(sent -> request.connection().close());
  }
}
