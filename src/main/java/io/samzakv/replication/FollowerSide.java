package io.samzakv.replication;

import io.samzakv.cluster.PartitionAssignment;
import io.samzakv.cluster.PartitionTable;
import io.samzakv.kv.KvException;
import io.samzakv.oplog.LogRecord;
import io.samzakv.replication.SnapshotCodec.Chunk;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.PartitionHistory;
import io.samzakv.store.LocalStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A replica's side of replication: takes the records its primaries ship into the local store, and
 * brings each copy that is not in sync up to date (attach, then the tail or a snapshot plus tail
 * from the primary) while buffering what the primary ships meanwhile, so that nothing between the
 * catch-up and the live stream is missing. Once the copy holds everything it tells the primary,
 * which adds it to the in-sync set.
 *
 * <p>Thread contract: everything runs on the replication verticle's context except the install of a
 * snapshot, which runs on a worker and takes chunks through a queue.
 */
final class FollowerSide {
  private static final System.Logger LOG = System.getLogger(FollowerSide.class.getName());

  /** How long an install waits for the next chunk before it gives up on the primary. */
  private static final long CHUNK_WAIT_SECONDS = 30;

  private final Vertx vertx;
  private final String nodeId;
  private final LocalStore store;
  private final DeliveryOptions delivery;

  /**
   * A copy that reported itself caught up waits this long for the in-sync table before retrying.
   */
  private static final long REPORTED_GRACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(3);

  /** When each copy last reported itself caught up; confined to the verticle's context. */
  private final Map<Integer, Long> reportedAt = new HashMap<>();

  /** The copies being brought up to date, by partition; confined to the verticle's context. */
  private final Map<Integer, CatchUp> catchingUp = new HashMap<>();

  /** One copy being brought up to date: what the primary shipped meanwhile, and its snapshot. */
  private static final class CatchUp {
    final String primary;

    /**
     * The leader epoch the primary serves under: shipments and chunks under another are not ours.
     */
    final long leaderEpoch;

    /** Names this attempt to the primary, which stamps its snapshot chunks with it. */
    final long attachId = java.util.concurrent.ThreadLocalRandom.current().nextLong();

    /** Completes once the shipped records are durable here: their answers wait for it. */
    final Promise<Void> taken = Promise.promise();

    final List<LogRecord> shipped = new ArrayList<>();

    final LinkedBlockingQueue<Chunk> chunks = new LinkedBlockingQueue<>();

    CatchUp(String primary, long leaderEpoch) {
      this.primary = primary;
      this.leaderEpoch = leaderEpoch;
    }
  }

  FollowerSide(Vertx vertx, String nodeId, LocalStore store, Duration timeout) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.store = store;
    this.delivery = new DeliveryOptions().setSendTimeout(timeout.toMillis());
  }

  void register() {
    vertx.eventBus().<Buffer>consumer(ReplicationAddresses.records(nodeId), this::records);
    vertx.eventBus().<Buffer>consumer(ReplicationAddresses.snapshot(nodeId), this::chunk);
  }

  private void records(Message<Buffer> message) {
    RecordCodec.Shipment shipment = RecordCodec.decode(message.body());
    List<LogRecord> live = new ArrayList<>();
    List<Future<Void>> answers = new ArrayList<>();
    for (LogRecord record : shipment.records()) {
      CatchUp catchUp = catchingUp.get(record.partition());
      if (catchUp == null) {
        live.add(record);
      } else if (shipment.fences().get(record.partition()) != catchUp.leaderEpoch) {
        // From a primary other than the one this copy is catching up from: not its history.
        message.fail(409, "stale_epoch: partition " + record.partition() + " follows another");
        return;
      } else {
        catchUp.shipped.add(record);
        answers.add(catchUp.taken.future());
      }
    }
    if (!live.isEmpty()) {
      answers.add(store.takeRecords(shipment.fences(), live));
    }
    // Buffered records are answered once the catch-up made them durable: the primary may count
    // this copy as in sync, and must not count records that are only in memory.
    Future.all(answers)
        .onSuccess(done -> message.reply(null))
        .onFailure(error -> fail(message, error));
  }

  private static void fail(Message<?> message, Throwable error) {
    if (error instanceof KvException refusal) {
      message.fail(refusal.status(), refusal.code() + ": " + refusal.getMessage());
    } else {
      message.fail(500, "internal: " + error);
    }
  }

  /**
   * Starts bringing up to date every copy the table gives this member that is not in sync, and
   * stops the catch-ups of copies it no longer holds. Call on the verticle's context.
   */
  void onTable(PartitionTable table) {
    for (int p = 0; p < table.partitionCount(); p++) {
      PartitionAssignment assignment = table.assignment(p);
      boolean holdsCopy = assignment.replicas().contains(nodeId);
      CatchUp running = catchingUp.get(p);
      if (running != null && (!holdsCopy || !running.primary.equals(assignment.primary()))) {
        catchingUp.remove(p);
        running.chunks.offer(abandoned(p));
        running.taken.tryFail("the copy moved or its primary changed");
        running = null;
      }
      if (assignment.isInSync(nodeId)) {
        reportedAt.remove(p);
      } else if (holdsCopy
          && running == null
          && assignment.primary() != null
          && !recentlyReported(p)) {
        start(p, assignment.primary(), assignment.leaderEpoch());
      }
    }
  }

  private boolean recentlyReported(int partition) {
    Long at = reportedAt.get(partition);
    return at != null && System.nanoTime() - at < REPORTED_GRACE_NANOS;
  }

  /** How many copies are being brought up to date. */
  int catchingUp() {
    return catchingUp.size();
  }

  private static Chunk abandoned(int partition) {
    return new Chunk(partition, 0, null, null, null);
  }

  private void start(int partition, String primary, long leaderEpoch) {
    CatchUp catchUp = new CatchUp(primary, leaderEpoch);
    catchingUp.put(partition, catchUp);
    // Records of the partition already queued here are applied first, so the history read next is
    // the copy's, and an install cannot be overtaken by an older batch of the same partition.
    store
        .appliedSoFar()
        .compose(
            applied -> {
              PartitionHistory history = store.history(partition);
              JsonObject attach =
                  new JsonObject()
                      .put("partition", partition)
                      .put("replica", nodeId)
                      .put("attach", catchUp.attachId)
                      .put("epoch", history.epoch())
                      .put("sequence", history.sequence());
              return vertx
                  .eventBus()
                  .<Buffer>request(ReplicationAddresses.attach(primary), attach, delivery);
            })
        .compose(
            answer ->
                answer.body().getByte(0) == PrimarySide.TAIL
                    ? Future.succeededFuture(RecordCodec.decode(answer.body(), 1))
                    : install(partition, catchUp))
        .compose(tail -> finish(partition, catchUp, tail))
        .onFailure(error -> abort(partition, catchUp, error));
  }

  /** Installs the snapshot the primary streams, on a worker; completes with the tail after it. */
  private Future<RecordCodec.Shipment> install(int partition, CatchUp catchUp) {
    long begin = System.nanoTime();
    Chunk[] last = new Chunk[1];
    return vertx
        .executeBlocking(
            () -> {
              store.install(
                  partition,
                  sink -> {
                    for (Chunk chunk = nextChunk(catchUp);
                        !chunk.last();
                        chunk = nextChunk(catchUp)) {
                      for (var entry : chunk.entries()) {
                        sink.accept(Mutation.put(partition, entry.key(), entry.value()));
                      }
                    }
                    last[0] = catchUp.chunks.poll();
                  },
                  () -> last[0].history());
              return last[0].tail();
            },
            false)
        .onSuccess(
            tail ->
                LOG.log(
                    Level.INFO,
                    "partition {0}: installed the snapshot from {1} in {2,number,#} ms",
                    partition,
                    catchUp.primary,
                    (System.nanoTime() - begin) / 1_000_000));
  }

  /** The next chunk; the last one stays at the head of the queue for the caller to take. */
  private static Chunk nextChunk(CatchUp catchUp) {
    try {
      Chunk chunk = catchUp.chunks.poll(CHUNK_WAIT_SECONDS, TimeUnit.SECONDS);
      if (chunk == null || chunk.entries() == null) {
        throw new IllegalStateException("the snapshot stopped arriving");
      }
      if (chunk.last()) {
        // Put back for the caller, who takes the history and the tail from it.
        catchUp.chunks.add(chunk);
      }
      return chunk;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void chunk(Message<Buffer> message) {
    Chunk chunk = SnapshotCodec.decode(message.body());
    CatchUp catchUp = catchingUp.get(chunk.partition());
    if (catchUp == null || catchUp.attachId != chunk.attachId()) {
      message.fail(409, "not_catching_up: partition " + chunk.partition());
      return;
    }
    catchUp.chunks.add(chunk);
    message.reply(null);
  }

  /**
   * Takes the tail and what was shipped meanwhile, then lets the live stream through; tells the
   * primary once they are durable here.
   */
  private Future<Void> finish(int partition, CatchUp catchUp, RecordCodec.Shipment shipment) {
    if (catchingUp.get(partition) != catchUp) {
      return Future.failedFuture("the catch-up was abandoned");
    }
    List<LogRecord> tail = shipment.records();
    List<LogRecord> records = new ArrayList<>(tail);
    long last =
        tail.isEmpty() ? store.history(partition).sequence() : tail.get(tail.size() - 1).sequence();
    for (LogRecord record : catchUp.shipped) {
      if (record.sequence() > last) {
        records.add(record);
      }
    }
    // From here new records go straight to the store, queued behind these.
    catchingUp.remove(partition);
    Future<Void> taken =
        records.isEmpty()
            ? Future.succeededFuture()
            : store.takeRecords(Map.of(partition, catchUp.leaderEpoch), records);
    taken.onComplete(catchUp.taken);
    JsonObject report = new JsonObject().put("partition", partition).put("replica", nodeId);
    return taken
        .compose(
            done -> {
              reportedAt.put(partition, System.nanoTime());
              return vertx
                  .eventBus()
                  .request(ReplicationAddresses.caughtUp(catchUp.primary), report, delivery);
            })
        .mapEmpty();
  }

  private void abort(int partition, CatchUp catchUp, Throwable error) {
    if (catchingUp.get(partition) == catchUp) {
      catchingUp.remove(partition);
    }
    // The records buffered meanwhile are not taken: their primary hears so.
    catchUp.taken.tryFail(error);
    LOG.log(
        Level.WARNING,
        "partition {0}: catching up from {1} failed ({2}); trying again",
        partition,
        catchUp.primary,
        error.getMessage());
  }
}
