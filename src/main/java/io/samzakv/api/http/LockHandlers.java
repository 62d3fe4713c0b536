package io.samzakv.api.http;

import io.samzakv.api.JsonRequests;
import io.samzakv.api.Limits;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Utf8;
import io.samzakv.lock.LockService;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The {@code /v1/locks/{name}} routes. */
final class LockHandlers {
  static final String LOCKS_PREFIX = "/v1/locks/";

  private final LockService locks;

  LockHandlers(LockService locks) {
    this.locks = locks;
  }

  void handleAcquire(RoutingContext ctx) {
    String name = nameOf(ctx);
    JsonObject body = bodyOf(ctx);
    long ttl =
        JsonRequests.number(body, "ttl_ms", Limits.LOCK_DEFAULT_TTL_MS, 1, Limits.LOCK_MAX_TTL_MS);
    long wait = JsonRequests.number(body, "wait_ms", 0, 0, Limits.LOCK_MAX_WAIT_MS);
    locks
        .acquire(name, ttl, wait)
        .onSuccess(
            token ->
                Responses.json(
                    ctx.response(), 200, new JsonObject().put("name", name).put("token", token)))
        .onFailure(ctx::fail);
  }

  void handleRelease(RoutingContext ctx) {
    String name = nameOf(ctx);
    String tokenText = QueryParams.parse(ctx.request().query()).get("token");
    if (tokenText == null) {
      throw KvException.badRequest("invalid_request", "token is missing");
    }
    long token;
    try {
      token = Long.parseLong(tokenText);
    } catch (NumberFormatException e) {
      throw KvException.badRequest("invalid_request", "token must be a whole number");
    }
    locks
        .release(name, token)
        .onSuccess(
            released ->
                Responses.json(
                    ctx.response(), 200, new JsonObject().put("name", name).put("released", true)))
        .onFailure(ctx::fail);
  }

  /** The JSON body; none at all means every default. */
  private static JsonObject bodyOf(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    return body == null || body.length() == 0 ? new JsonObject() : JsonBodies.object(body);
  }

  private static String nameOf(RoutingContext ctx) {
    byte[] name =
        PercentDecoding.decode(KvHandlers.restOfPath(ctx.request().path(), LOCKS_PREFIX), false);
    if (name.length == 0 || name.length > LockService.MAX_NAME_BYTES) {
      throw KvException.badRequest(
          "invalid_request", "lock name must be 1.." + LockService.MAX_NAME_BYTES + " bytes");
    }
    return Utf8.decode(name, "invalid_request", "lock name");
  }
}
