package io.samzakv.replication;

import io.samzakv.cluster.PartitionAssignment;
import io.samzakv.cluster.TableDirectory;
import io.samzakv.oplog.LogRecord;
import io.samzakv.storage.KeyValue;
import io.samzakv.storage.PartitionHistory;
import io.samzakv.store.LocalStore;
import io.samzakv.store.PartitionRoles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A primary bringing a replica up to date. On attach the replica is shipped every new record from
 * then on ({@link Followers}); then, if its last record is one this primary holds and the records
 * after it are still in memory ({@link io.samzakv.store.RecentRecords}), it gets just that tail;
 * otherwise a consistent snapshot of the partition, in chunks, and the tail after the snapshot.
 * When the replica reports it holds everything, the primary adds it to the in-sync set.
 *
 * <p>Thread contract: handlers run on the replication verticle's context; the snapshot is read on a
 * worker.
 */
final class PrimarySide {
  private static final System.Logger LOG = System.getLogger(PrimarySide.class.getName());
  static final byte TAIL = 0;
  static final byte SNAPSHOT = 1;

  private final Vertx vertx;
  private final String nodeId;
  private final LocalStore store;
  private final PartitionRoles roles;
  private final TableDirectory tables;
  private final Followers followers;
  private final DeliveryOptions delivery;

  PrimarySide(
      Vertx vertx,
      String nodeId,
      LocalStore store,
      PartitionRoles roles,
      TableDirectory tables,
      Followers followers,
      Duration timeout) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.store = store;
    this.roles = roles;
    this.tables = tables;
    this.followers = followers;
    this.delivery = new DeliveryOptions().setSendTimeout(timeout.toMillis());
  }

  void register() {
    vertx.eventBus().<JsonObject>consumer(ReplicationAddresses.attach(nodeId), this::attach);
    vertx.eventBus().<JsonObject>consumer(ReplicationAddresses.caughtUp(nodeId), this::caughtUp);
  }

  private void attach(Message<JsonObject> request) {
    int partition = request.body().getInteger("partition");
    String replica = request.body().getString("replica");
    long epoch = request.body().getLong("epoch");
    long sequence = request.body().getLong("sequence");
    if (roles.servingEpoch(partition) < 0) {
      request.fail(503, "not_primary: " + nodeId + " does not serve partition " + partition);
      return;
    }
    followers.attach(partition, replica);
    List<LogRecord> tail = tailAfter(partition, epoch, sequence);
    if (tail != null) {
      LOG.log(
          Level.INFO,
          "partition {0}: {1} catches up from sequence {2,number,#} ({3} records)",
          partition,
          replica,
          sequence,
          tail.size());
      Map<Integer, Long> fence = Map.of(partition, roles.servingEpoch(partition));
      request.reply(Buffer.buffer().appendByte(TAIL).appendBuffer(RecordCodec.encode(fence, tail)));
      return;
    }
    LOG.log(Level.INFO, "partition {0}: {1} gets a snapshot", partition, replica);
    request.reply(Buffer.buffer().appendByte(SNAPSHOT));
    sendSnapshot(partition, replica, request.body().getLong("attach"))
        .onFailure(
            error ->
                LOG.log(
                    Level.WARNING,
                    "partition {0}: snapshot to {1} failed: {2}",
                    partition,
                    replica,
                    error.getMessage()));
  }

  /**
   * The records after the replica's last one, when that one is in this primary's history and the
   * records after it are still in memory; null when the replica needs a snapshot.
   */
  private List<LogRecord> tailAfter(int partition, long epoch, long sequence) {
    PartitionHistory applied = store.history(partition);
    List<LogRecord> logged = store.recentRecords().since(partition, applied.sequence());
    if (logged == null) {
      return null;
    }
    PartitionHistory history = applied;
    for (LogRecord record : logged) {
      history = history.advance(record.epoch(), record.sequence());
    }
    if (!history.contains(epoch, sequence)) {
      return null;
    }
    return store.recentRecords().since(partition, sequence);
  }

  /** A partition read in one snapshot, and the records logged after it, taken right after. */
  private record Snapshot(PartitionHistory history, List<Buffer> chunks, List<LogRecord> tail) {}

  /** Reads the partition on a worker, then sends it chunk after chunk, then the tail after it. */
  private Future<Void> sendSnapshot(int partition, String replica, long attachId) {
    long begin = System.nanoTime();
    return vertx
        .executeBlocking(() -> read(partition, attachId))
        .compose(
            snapshot -> {
              long fence = roles.servingEpoch(partition);
              if (fence < 0) {
                return Future.failedFuture("this member no longer serves the partition");
              }
              Future<Void> sent = Future.succeededFuture();
              for (Buffer chunk : snapshot.chunks()) {
                sent = sent.compose(ignored -> send(replica, chunk));
              }
              Buffer last =
                  SnapshotCodec.last(
                      partition, attachId, snapshot.history(), fence, snapshot.tail());
              return sent.compose(ignored -> send(replica, last))
                  .onSuccess(
                      done ->
                          LOG.log(
                              Level.INFO,
                              "partition {0}: snapshot at sequence {1,number,#} sent to {2} in"
                                  + " {3,number,#} ms",
                              partition,
                              snapshot.history().sequence(),
                              replica,
                              (System.nanoTime() - begin) / 1_000_000));
            });
  }

  /**
   * The partition's entries in chunks, read in one snapshot and held in memory (one partition's
   * worth), so the read transaction is not held open while they travel; and the records logged
   * after the snapshot, taken at once, before newer writes can push them out of memory (the replica
   * buffers everything shipped after it attached).
   */
  private Snapshot read(int partition, long attachId) {
    List<Buffer> chunks = new ArrayList<>();
    List<KeyValue> chunk = new ArrayList<>();
    long[] bytes = {0};
    PartitionHistory history =
        store.snapshot(
            partition,
            entry -> {
              chunk.add(entry);
              bytes[0] += entry.key().length + entry.value().length + 8;
              if (bytes[0] >= SnapshotCodec.CHUNK_BYTES) {
                chunks.add(SnapshotCodec.entries(partition, attachId, chunk));
                chunk.clear();
                bytes[0] = 0;
              }
            });
    List<LogRecord> tail = store.recentRecords().since(partition, history.sequence());
    if (tail == null) {
      throw new IllegalStateException(
          "the records after the snapshot were dropped meanwhile; the replica attaches again");
    }
    if (!chunk.isEmpty()) {
      chunks.add(SnapshotCodec.entries(partition, attachId, chunk));
    }
    return new Snapshot(history, chunks, tail);
  }

  private Future<Void> send(String replica, Buffer chunk) {
    return vertx
        .eventBus()
        .request(ReplicationAddresses.snapshot(replica), chunk, delivery)
        .mapEmpty();
  }

  /** The replica holds everything shipped to it: it joins the in-sync set. */
  private void caughtUp(Message<JsonObject> report) {
    int partition = report.body().getInteger("partition");
    String replica = report.body().getString("replica");
    if (!followers.of(partition).contains(replica)) {
      // Not attached any more: a batch shipped to it since it attached failed.
      report.fail(409, "not_attached: " + replica + " missed a batch; it attaches again");
      return;
    }
    tables
        .change(
            table -> {
              PartitionAssignment assignment = table.assignment(partition);
              boolean stillOurs =
                  nodeId.equals(assignment.primary()) && assignment.replicas().contains(replica);
              return stillOurs ? table.successor(partition, assignment.withInSync(replica)) : table;
            })
        .onSuccess(
            table -> {
              if (table.assignment(partition).isInSync(replica)) {
                followers.detach(partition, replica);
                LOG.log(
                    Level.INFO,
                    "partition {0}: {1} is in sync (epoch {2})",
                    partition,
                    replica,
                    table.epoch());
              }
              report.reply(null);
            })
        .onFailure(error -> report.fail(503, "unavailable: " + error.getMessage()));
  }
}
