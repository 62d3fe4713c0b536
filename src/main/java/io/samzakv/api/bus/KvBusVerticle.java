package io.samzakv.api.bus;

import io.samzakv.api.BatchRunner;
import io.samzakv.api.JsonRequests;
import io.samzakv.api.KvJson;
import io.samzakv.api.NodeStatus;
import io.samzakv.api.ScanRequest;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.KvService;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;

/**
 * Serves the key-value API on the clustered event bus: JSON in, the HTTP API's JSON out, failures
 * as {@code ReplyException}s whose failure code is the HTTP status and whose message is the HTTP
 * error body.
 */
public final class KvBusVerticle extends VerticleBase {
  private final KvService service;
  private final NodeStatus status;
  private final BatchRunner batch;

  public KvBusVerticle(KvService service, NodeStatus status) {
    this.service = service;
    this.status = status;
    this.batch = new BatchRunner(service);
  }

  @Override
  public Future<?> start() {
    List<MessageConsumer<Object>> consumers =
        List.of(
            consume(BusAddresses.PUT, this::put),
            consume(BusAddresses.GET, this::get),
            consume(BusAddresses.DELETE, this::delete),
            consume(BusAddresses.SCAN, this::scan),
            consume(BusAddresses.BATCH, batch::run));
    // Only once every registration has reached the cluster are the addresses really served.
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  private MessageConsumer<Object> consume(
      String address, Function<JsonObject, Future<JsonObject>> operation) {
    return vertx.eventBus().consumer(address, message -> answer(message, operation));
  }

  private void answer(Message<Object> message, Function<JsonObject, Future<JsonObject>> operation) {
    Future<JsonObject> reply;
    try {
      if (!status.accepting()) {
        throw KvException.unavailable("the node is not ready");
      }
      if (!(message.body() instanceof JsonObject body)) {
        throw KvException.badRequest("invalid_request", "the message body must be a JSON object");
      }
      reply = operation.apply(body);
    } catch (RuntimeException e) {
      // Every request gets an answer, even one that failed unexpectedly (answered as a 500).
      reply = Future.failedFuture(e);
    }
    reply
        .onSuccess(message::reply)
        .onFailure(
            failure -> {
              KvException error = KvJson.asKvException(failure);
              message.fail(error.status(), KvJson.error(error).encode());
            });
  }

  private Future<JsonObject> put(JsonObject body) {
    Key key = JsonRequests.key(body);
    return service
        .put(key, JsonRequests.value(body), JsonRequests.precondition(body))
        .map(KvJson::written);
  }

  private Future<JsonObject> get(JsonObject body) {
    Key key = JsonRequests.key(body);
    return service.get(key).map(value -> KvJson.value(key.text(), value));
  }

  private Future<JsonObject> delete(JsonObject body) {
    Key key = JsonRequests.key(body);
    return service
        .delete(key, JsonRequests.precondition(body))
        .map(deleted -> KvJson.deleted(key.text()));
  }

  private Future<JsonObject> scan(JsonObject body) {
    ScanRequest scan = ScanRequest.parse(field -> asText(body, field));
    return service.scan(scan.range(), scan.limit()).map(KvJson::page);
  }

  /** Scan parameters as the text the HTTP query string would carry; limit may be a number. */
  private static String asText(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (value instanceof String || value instanceof Number) {
      return value.toString();
    }
    throw KvException.badRequest("invalid_request", field + " must be a string");
  }
}
