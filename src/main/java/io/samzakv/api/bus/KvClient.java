package io.samzakv.api.bus;

import io.samzakv.kv.VersionedValue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;

/**
 * The key-value API for verticles in the same clustered Vert.x, over the event bus. Every method
 * returns a {@code Future}; a failure is a {@code ReplyException} whose {@code failureCode()} is
 * the HTTP status (404, 412, 413, 503, ...) and whose message is the HTTP error body.
 *
 * <p>Thread contract: like the event bus, safe from any thread; best used from a verticle.
 */
public final class KvClient {
  /** Long enough for a batch of a thousand fsynced writes on a slow disk. */
  private static final long DEFAULT_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final DeliveryOptions delivery;

  public KvClient(Vertx vertx) {
    this(vertx, DEFAULT_TIMEOUT_MS);
  }

  public KvClient(Vertx vertx, long timeoutMillis) {
    this.vertx = vertx;
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMillis);
  }

  /** Writes the value; answers the key's new version. */
  public Future<Long> put(String key, byte[] value) {
    return put(new JsonObject().put("key", key).put("value", encode(value)));
  }

  /** Writes only if the key is at {@code expectedVersion} (0 = absent); else fails with 412. */
  public Future<Long> putIfVersion(String key, byte[] value, long expectedVersion) {
    return put(
        new JsonObject()
            .put("key", key)
            .put("value", encode(value))
            .put("if_version", expectedVersion));
  }

  /** Writes only if the key does not exist; else fails with 412. */
  public Future<Long> putIfAbsent(String key, byte[] value) {
    return put(new JsonObject().put("key", key).put("value", encode(value)).put("if_absent", true));
  }

  private Future<Long> put(JsonObject request) {
    return request(BusAddresses.PUT, request).map(reply -> reply.getLong("version"));
  }

  /** The value and its version; fails with 404 when absent. */
  public Future<VersionedValue> get(String key) {
    return request(BusAddresses.GET, new JsonObject().put("key", key))
        .map(
            reply ->
                new VersionedValue(
                    reply.getLong("version"),
                    Base64.getDecoder().decode(reply.getString("value"))));
  }

  /** Deletes the key; fails with 404 when absent. */
  public Future<Void> delete(String key) {
    return request(BusAddresses.DELETE, new JsonObject().put("key", key)).mapEmpty();
  }

  /** Deletes only if the key is at {@code expectedVersion}; else fails with 412. */
  public Future<Void> deleteIfVersion(String key, long expectedVersion) {
    return request(
            BusAddresses.DELETE,
            new JsonObject().put("key", key).put("if_version", expectedVersion))
        .mapEmpty();
  }

  /**
   * One page of a scan: {@code {"items":[{"key","value"(base64),"version"}...],"next"}}. The
   * request takes {@code start}, {@code end} or {@code prefix}, and {@code limit}.
   */
  public Future<JsonObject> scan(JsonObject request) {
    return request(BusAddresses.SCAN, request);
  }

  /** Runs {@code ops} (shaped as for {@code POST /v1/batch}); answers one result per op. */
  public Future<JsonArray> batch(JsonArray ops) {
    return request(BusAddresses.BATCH, new JsonObject().put("ops", ops))
        .map(reply -> reply.getJsonArray("results"));
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, delivery).map(reply -> reply.body());
  }

  private static String encode(byte[] value) {
    return Base64.getEncoder().encodeToString(value);
  }
}
