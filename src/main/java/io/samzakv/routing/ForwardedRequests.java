package io.samzakv.routing;

import io.samzakv.api.KvJson;
import io.samzakv.cluster.PartitionAssignment;
import io.samzakv.cluster.PartitionTable;
import io.samzakv.cluster.PartitionTables;
import io.samzakv.kv.KvException;
import io.samzakv.routing.ForwardProtocol.Delete;
import io.samzakv.routing.ForwardProtocol.Fence;
import io.samzakv.routing.ForwardProtocol.Get;
import io.samzakv.routing.ForwardProtocol.Put;
import io.samzakv.routing.ForwardProtocol.Request;
import io.samzakv.routing.ForwardProtocol.Scan;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.List;

/**
 * Serves the requests other members forward to this one, at {@code kv.fwd.<nodeId>}, in the {@link
 * ForwardProtocol} wire format. A request is served only when this member's table makes it the
 * primary of every partition the request names, at the leader epoch the sender names: a sender with
 * a newer epoch than the table first makes this member refresh it; any other mismatch is refused
 * ({@code stale_epoch} or {@code not_primary}, with the table's epoch) so the sender refreshes and
 * retries. A request from before a change of primary is thus never served by the old one.
 *
 * <p>Undeployed before the store closes: from then on senders find no handler and go elsewhere.
 *
 * <p>Thread contract: runs on its verticle's event loop; never blocks.
 */
public final class ForwardedRequests extends VerticleBase {
  private final String localNodeId;
  private final PartitionTables tables;
  private final LocalPartitions local;

  public ForwardedRequests(String localNodeId, PartitionTables tables, LocalPartitions local) {
    this.localNodeId = localNodeId;
    this.tables = tables;
    this.local = local;
  }

  @Override
  public Future<?> start() {
    MessageConsumer<Buffer> consumer =
        vertx.eventBus().consumer(ForwardProtocol.address(localNodeId), this::handle);
    // Only once the registration has reached the cluster do senders find this member.
    return consumer.completion();
  }

  private void handle(Message<Buffer> message) {
    Future<Buffer> reply;
    try {
      Request request = ForwardProtocol.decode(message.body());
      reply = admit(request.fences()).compose(ignored -> serve(request));
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    reply.onSuccess(message::reply).onFailure(failure -> answerFailure(message, failure));
  }

  private static void answerFailure(Message<Buffer> message, Throwable failure) {
    if (failure instanceof Refusal refusal) {
      ForwardProtocol.refuse(message, refusal.code, refusal.getMessage(), refusal.tableEpoch);
    } else {
      ForwardProtocol.fail(message, KvJson.asKvException(failure));
    }
  }

  /** Succeeds when this member may serve every fence; refreshes first if the sender is ahead. */
  private Future<Void> admit(List<Fence> fences) {
    PartitionTable table = tables.current();
    if (isBehind(table, fences)) {
      return tables.refresh().compose(fresh -> check(fresh, fences));
    }
    return check(table, fences);
  }

  private static boolean isBehind(PartitionTable table, List<Fence> fences) {
    if (table == null) {
      return true;
    }
    for (Fence fence : fences) {
      if (fence.partition() < table.partitionCount()
          && fence.leaderEpoch() > table.assignment(fence.partition()).leaderEpoch()) {
        return true;
      }
    }
    return false;
  }

  private Future<Void> check(PartitionTable table, List<Fence> fences) {
    if (table == null) {
      return Future.failedFuture(
          new Refusal(ForwardProtocol.NOT_PRIMARY, "no partition table yet", 0));
    }
    for (Fence fence : fences) {
      int partition = fence.partition();
      if (partition < 0 || partition >= table.partitionCount()) {
        return Future.failedFuture(
            KvException.badRequest("invalid_request", "no partition " + partition));
      }
      PartitionAssignment assignment = table.assignment(partition);
      if (!localNodeId.equals(assignment.primary())) {
        return Future.failedFuture(
            new Refusal(
                ForwardProtocol.NOT_PRIMARY,
                "partition "
                    + partition
                    + " has primary "
                    + assignment.primary()
                    + " at table epoch "
                    + table.epoch(),
                table.epoch()));
      }
      if (assignment.leaderEpoch() != fence.leaderEpoch()) {
        return Future.failedFuture(
            new Refusal(
                ForwardProtocol.STALE_EPOCH,
                "partition "
                    + partition
                    + " is served at leader epoch "
                    + assignment.leaderEpoch()
                    + ", not "
                    + fence.leaderEpoch(),
                table.epoch()));
      }
    }
    return Future.succeededFuture();
  }

  private Future<Buffer> serve(Request request) {
    if (request instanceof Get get) {
      Fence fence = get.fence();
      return local
          .get(fence.partition(), fence.leaderEpoch(), get.key())
          .map(ForwardProtocol::encodeValue);
    }
    if (request instanceof Put put) {
      Fence fence = put.fence();
      return local
          .put(fence.partition(), fence.leaderEpoch(), put.key(), put.value(), put.precondition())
          .map(written -> ForwardProtocol.encodeVersion(written.version()));
    }
    if (request instanceof Delete delete) {
      Fence fence = delete.fence();
      return local
          .delete(fence.partition(), fence.leaderEpoch(), delete.key(), delete.precondition())
          .map(deleted -> Buffer.buffer());
    }
    Scan scan = (Scan) request;
    return local
        .scan(scan.partitions(), scan.range(), scan.limit())
        .map(ForwardProtocol::encodePage);
  }

  /** This member may not serve the request at the sender's epoch. */
  private static final class Refusal extends RuntimeException {
    final int code;
    final long tableEpoch;

    Refusal(int code, String reason, long tableEpoch) {
      super(reason, null, false, false);
      this.code = code;
      this.tableEpoch = tableEpoch;
    }
  }
}
