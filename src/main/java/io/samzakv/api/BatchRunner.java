package io.samzakv.api;

import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.KvService;
import io.samzakv.kv.Precondition;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a batch: each op on its own (atomic alone, not as a group), each answered with its own
 * {@code status}. Ops on different keys run concurrently, so a batch of puts shares group commits;
 * ops on the same key run in the order given, so a get after a put sees it.
 */
public final class BatchRunner {
  private final KvService service;

  public BatchRunner(KvService service) {
    this.service = service;
  }

  /** {@code {"results":[...]}} for a {@code {"ops":[...]}} body. */
  public Future<JsonObject> run(JsonObject body) {
    Object ops = body.getValue("ops");
    if (!(ops instanceof JsonArray list)) {
      return Future.failedFuture(KvException.badRequest("invalid_request", "ops must be an array"));
    }
    if (list.size() > Limits.BATCH_MAX_OPS) {
      return Future.failedFuture(
          KvException.tooLarge(
              "a batch holds at most " + Limits.BATCH_MAX_OPS + " ops, got " + list.size()));
    }
    Map<String, Future<JsonObject>> lastOnKey = new HashMap<>();
    List<Future<JsonObject>> results = new ArrayList<>(list.size());
    for (Object op : list) {
      results.add(schedule(op, lastOnKey));
    }
    return Future.join(results)
        .transform(
            done -> {
              JsonArray out = new JsonArray();
              results.forEach(result -> out.add(result.result()));
              return Future.succeededFuture(new JsonObject().put("results", out));
            });
  }

  private Future<JsonObject> schedule(Object op, Map<String, Future<JsonObject>> lastOnKey) {
    if (!(op instanceof JsonObject json)) {
      return Future.succeededFuture(
          failure(KvException.badRequest("invalid_request", "each op must be an object")));
    }
    Key key;
    try {
      key = JsonRequests.key(json);
    } catch (KvException e) {
      return Future.succeededFuture(failure(e));
    }
    Future<JsonObject> previous = lastOnKey.get(key.text());
    Future<JsonObject> result =
        previous == null ? runOne(json, key) : previous.transform(done -> runOne(json, key));
    lastOnKey.put(key.text(), result);
    return result;
  }

  /** One op's result object; never a failed future. */
  private Future<JsonObject> runOne(JsonObject op, Key key) {
    Future<JsonObject> outcome;
    try {
      outcome = dispatch(op, key);
    } catch (KvException e) {
      outcome = Future.failedFuture(e);
    }
    return outcome.transform(
        done ->
            Future.succeededFuture(
                done.succeeded() ? done.result() : failure(KvJson.asKvException(done.cause()))));
  }

  private Future<JsonObject> dispatch(JsonObject op, Key key) {
    String kind = JsonRequests.string(op, "op", true);
    return switch (kind) {
      case "get" ->
          service.get(key).map(value -> KvJson.value(key.text(), value).put("status", 200));
      case "put" -> {
        byte[] value = JsonRequests.value(op);
        Precondition precondition = JsonRequests.precondition(op);
        yield service
            .put(key, value, precondition)
            .map(written -> KvJson.written(written).put("status", written.created() ? 201 : 200));
      }
      case "delete" ->
          service
              .delete(key, JsonRequests.precondition(op))
              .map(deleted -> KvJson.deleted(key.text()).put("status", 200));
      default ->
          throw KvException.badRequest(
              "invalid_request", "op must be get, put or delete, not '" + kind + "'");
    };
  }

  private static JsonObject failure(KvException error) {
    return KvJson.error(error).put("status", error.status());
  }
}
