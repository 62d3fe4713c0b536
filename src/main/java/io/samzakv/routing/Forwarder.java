package io.samzakv.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.samzakv.api.KvJson;
import io.samzakv.kv.KvException;
import io.samzakv.metrics.LatencyTimers;
import io.samzakv.routing.ForwardProtocol.Request;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Sends a request to another member, its partitions' primary, and turns the answer back into what
 * the local store would have answered: the reply, the same {@link KvException}, or {@link
 * Unroutable} when the request surely was not served and may be sent again.
 *
 * <p>A lost request (a timeout) is retried only for reads: a write that timed out may have been
 * applied, and sending it again could bump the version twice or fail its own precondition (a lock
 * acquire would then see its own grant as another's). It answers 503, outcome unknown, like a
 * write-path failure.
 *
 * <p>Thread contract: called on event loops; never blocks.
 */
final class Forwarder {
  private static final System.Logger LOG = System.getLogger(Forwarder.class.getName());
  private static final String[] OPS = {"get", "put", "delete", "scan"};

  private final Vertx vertx;
  private final DeliveryOptions delivery;
  private final Map<String, Counter> counts;
  private final Map<String, Timer> roundTrips;

  Forwarder(Vertx vertx, MeterRegistry registry, Duration timeout) {
    this.vertx = vertx;
    this.delivery = new DeliveryOptions().setSendTimeout(timeout.toMillis());
    this.counts =
        meters(
            op ->
                Counter.builder("kv.forwarded.requests")
                    .description("Requests this node forwarded to their partition's primary")
                    .tag("op", op)
                    .register(registry));
    this.roundTrips =
        meters(
            op ->
                LatencyTimers.builder("kv.forward.round.trip")
                    .description("From forwarding a request to its primary until its answer")
                    .tag("op", op)
                    .register(registry));
  }

  private static <M> Map<String, M> meters(Function<String, M> meter) {
    return Stream.of(OPS).collect(Collectors.toUnmodifiableMap(op -> op, meter));
  }

  /** The primary's reply body. */
  Future<Buffer> send(String primary, Request request) {
    counts.get(request.tag()).increment();
    Timer.Sample sample = Timer.start();
    return vertx
        .eventBus()
        .<Buffer>request(
            ForwardProtocol.address(primary), ForwardProtocol.encode(request), delivery)
        .andThen(done -> sample.stop(roundTrips.get(request.tag())))
        .<Buffer>map(Message::body)
        .recover(failure -> Future.failedFuture(translated(primary, request, failure)));
  }

  private static RuntimeException translated(String primary, Request request, Throwable failure) {
    KvException business = ForwardProtocol.asKvException(failure);
    if (business != null) {
      return business;
    }
    if (ForwardProtocol.isRefusal(failure)) {
      return new Unroutable(primary + " did not serve it: " + failure.getMessage());
    }
    boolean write =
        request instanceof ForwardProtocol.Put || request instanceof ForwardProtocol.Delete;
    if (ForwardProtocol.isLost(failure) && write) {
      return KvException.unavailable(
          "no answer from " + primary + "; the write may or may not have been applied");
    }
    if (ForwardProtocol.isLost(failure)) {
      return new Unroutable("no answer from " + primary + ": " + failure.getMessage());
    }
    // Anything else is a fault of this node or the bus, never the client's: answered as a 500.
    LOG.log(System.Logger.Level.WARNING, "forwarding to " + primary + " failed", failure);
    return KvJson.asKvException(failure);
  }
}
