package io.samzakv.api.bus;

import io.samzakv.api.KvJson;
import io.samzakv.cluster.PartitionAssignment;
import io.samzakv.cluster.PartitionTable;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.VersionedValue;
import io.samzakv.routing.ForwardProtocol;
import io.samzakv.routing.ForwardProtocol.Fence;
import io.samzakv.routing.ForwardProtocol.Request;
import io.samzakv.routing.Partitioner;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * The key-value API for verticles in the same clustered Vert.x, over the event bus. Every method
 * returns a {@code Future}; a failure is a {@code ReplyException} whose {@code failureCode()} is
 * the HTTP status (404, 412, 413, 503, ...) and whose message is the HTTP error body.
 *
 * <p>Single-key requests go straight to the key's primary in one hop: the client keeps the
 * partition table (asked of any node at {@value BusAddresses#TABLE_GET}, then kept fresh by what
 * the nodes publish at {@value BusAddresses#TABLE}), computes the key's partition and sends to the
 * primary's {@code kv.fwd.<nodeId>} address in the {@link ForwardProtocol} format. A refusal (the
 * table moved on) or a primary that is gone makes it ask for the table again and retry; a 503 is
 * retried after the API's {@code Retry-After}; both for up to the retry bound. A write whose answer
 * was lost is not sent again (it may have been applied) and fails with 503. Scans and batches go to
 * {@code kv.scan} and {@code kv.batch} on any node, which route them.
 *
 * <p>Thread contract: like the event bus, safe from any thread; best used from a verticle. {@link
 * #close} stops listening for tables.
 */
public final class KvClient implements AutoCloseable {
  /** Long enough for a batch of a thousand fsynced writes on a slow disk. */
  private static final long DEFAULT_TIMEOUT_MS = 30_000;

  /** How long a request keeps retrying a refusal, a gone primary or a 503. */
  private static final long RETRY_BOUND_MS = 10_000;

  private static final long FIRST_BACKOFF_MS = 20;
  private static final long MAX_BACKOFF_MS = 400;

  private final Vertx vertx;
  private final DeliveryOptions delivery;
  private final DeliveryOptions toPrimary;
  private final MessageConsumer<JsonObject> tableUpdates;
  private volatile PartitionTable table;

  public KvClient(Vertx vertx) {
    this(vertx, DEFAULT_TIMEOUT_MS);
  }

  public KvClient(Vertx vertx, long timeoutMillis) {
    this.vertx = vertx;
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMillis);
    this.toPrimary =
        new DeliveryOptions()
            .setSendTimeout(Math.min(timeoutMillis, ForwardProtocol.SEND_TIMEOUT.toMillis()));
    this.tableUpdates =
        vertx
            .eventBus()
            .consumer(
                BusAddresses.TABLE, message -> adopt(PartitionTable.fromJson(message.body())));
  }

  /** Writes the value; answers the key's new version. */
  public Future<Long> put(String key, byte[] value) {
    return put(key, value, Precondition.NONE);
  }

  /** Writes only if the key is at {@code expectedVersion} (0 = absent); else fails with 412. */
  public Future<Long> putIfVersion(String key, byte[] value, long expectedVersion) {
    return put(key, value, Precondition.ifVersion(expectedVersion));
  }

  /** Writes only if the key does not exist; else fails with 412. */
  public Future<Long> putIfAbsent(String key, byte[] value) {
    return put(key, value, Precondition.ABSENT);
  }

  private Future<Long> put(String key, byte[] value, Precondition precondition) {
    return keyed(
        key,
        true,
        (fence, k) -> new ForwardProtocol.Put(fence, k, value, precondition),
        ForwardProtocol::decodeVersion);
  }

  /** The value and its version; fails with 404 when absent. */
  public Future<VersionedValue> get(String key) {
    return keyed(key, false, ForwardProtocol.Get::new, ForwardProtocol::decodeValue);
  }

  /** Deletes the key; fails with 404 when absent. */
  public Future<Void> delete(String key) {
    return deleteIf(key, Precondition.NONE);
  }

  /** Deletes only if the key is at {@code expectedVersion}; else fails with 412. */
  public Future<Void> deleteIfVersion(String key, long expectedVersion) {
    return deleteIf(key, Precondition.ifVersion(expectedVersion));
  }

  private Future<Void> deleteIf(String key, Precondition precondition) {
    return keyed(
        key, true, (fence, k) -> new ForwardProtocol.Delete(fence, k, precondition), reply -> null);
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

  /** Stops listening for partition tables. */
  @Override
  public void close() {
    tableUpdates.unregister();
  }

  /** The table this client last saw (null before its first request), for tests and tools. */
  public PartitionTable table() {
    return table;
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, delivery).map(Message::body);
  }

  /** Builds a request for the key's partition at its primary's leader epoch. */
  private interface RequestFor {
    Request at(Fence fence, Key key);
  }

  private <T> Future<T> keyed(
      String text, boolean write, RequestFor request, Function<Buffer, T> decode) {
    Key key;
    try {
      key = Key.of(text);
    } catch (KvException e) {
      return Future.failedFuture(asReply(e));
    }
    Attempt attempt = new Attempt(key, write, request, System.currentTimeMillis() + RETRY_BOUND_MS);
    return run(attempt, FIRST_BACKOFF_MS).map(decode);
  }

  /** One request and its retries. */
  private record Attempt(Key key, boolean write, RequestFor request, long deadline) {}

  private Future<Buffer> run(Attempt attempt, long backoff) {
    return knownTable()
        .transform(
            known ->
                known.succeeded()
                    ? send(attempt, known.result())
                        .recover(failure -> retry(attempt, failure, backoff))
                    // Nothing was sent: as good as no handler, whatever kept the table away.
                    : retry(
                        attempt,
                        new ReplyException(
                            ReplyFailure.NO_HANDLERS,
                            "no partition table: " + known.cause().getMessage()),
                        backoff));
  }

  private Future<Buffer> send(Attempt attempt, PartitionTable known) {
    int partition = new Partitioner(known.partitionCount()).partitionOf(attempt.key());
    PartitionAssignment assignment = known.assignment(partition);
    if (assignment.primary() == null) {
      return Future.failedFuture(
          new ReplyException(
              ReplyFailure.NO_HANDLERS, "partition " + partition + " has no primary"));
    }
    Request sent =
        attempt.request().at(new Fence(partition, assignment.leaderEpoch()), attempt.key());
    return vertx
        .eventBus()
        .<Buffer>request(
            ForwardProtocol.address(assignment.primary()), ForwardProtocol.encode(sent), toPrimary)
        .map(Message::body);
  }

  private Future<Buffer> retry(Attempt attempt, Throwable failure, long backoff) {
    boolean unavailable = failure instanceof ReplyException reply && reply.failureCode() == 503;
    long wait;
    if (ForwardProtocol.isRefusal(failure)
        || (ForwardProtocol.isLost(failure) && !attempt.write())) {
      wait = backoff;
    } else if (ForwardProtocol.isLost(failure)) {
      return Future.failedFuture(
          asReply(
              KvException.unavailable(
                  "no answer from the primary; the write may or may not have been applied")));
    } else if (unavailable) {
      wait = KvJson.RETRY_AFTER_SECONDS * 1000L;
    } else {
      return Future.failedFuture(failure);
    }
    if (System.currentTimeMillis() + wait > attempt.deadline()) {
      return Future.failedFuture(
          unavailable
              ? failure
              : asReply(KvException.unavailable("no primary served it: " + failure.getMessage())));
    }
    long next = Math.min(2 * backoff, MAX_BACKOFF_MS);
    return vertx
        .timer(wait)
        .compose(fired -> fetchTable())
        .compose(fresh -> run(attempt, next), error -> run(attempt, next));
  }

  private Future<PartitionTable> knownTable() {
    PartitionTable known = table;
    return known != null ? Future.succeededFuture(known) : fetchTable();
  }

  /** Asks any node for its table; keeps the newest this client has seen. */
  private Future<PartitionTable> fetchTable() {
    return request(BusAddresses.TABLE_GET, new JsonObject())
        .map(json -> adopt(PartitionTable.fromJson(json)));
  }

  private synchronized PartitionTable adopt(PartitionTable fresh) {
    if (table == null || fresh.epoch() > table.epoch()) {
      table = fresh;
    }
    return table;
  }

  private static ReplyException asReply(KvException error) {
    return new ReplyException(
        ReplyFailure.RECIPIENT_FAILURE, error.status(), KvJson.error(error).encode());
  }
}
