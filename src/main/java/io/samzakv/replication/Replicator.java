package io.samzakv.replication;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.samzakv.cluster.PartitionAssignment;
import io.samzakv.cluster.PartitionTable;
import io.samzakv.cluster.TableDirectory;
import io.samzakv.metrics.LatencyTimers;
import io.samzakv.oplog.LogRecord;
import io.samzakv.store.Replication;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The primary's side of replication: ships each logged batch to the replicas of its partitions, one
 * message per replica for the whole batch, and decides when the batch may be acknowledged.
 *
 * <p>A batch is acknowledged once every replica in the partition's in-sync set has made it durable.
 * A replica that fails or does not answer within the timeout leaves the in-sync set by a table
 * change (compare-and-set on the epoch) <em>before</em> the batch is acknowledged without it. That
 * change is refused when this member is no longer the partition's primary under the leader epoch
 * the records carry; those records are then never acknowledged (their outcome is unknown to the
 * client: the new primary may hold them or not).
 *
 * <p>Replicas catching up ({@link Followers}) get every batch too, but are only waited for once the
 * table names them in sync: a batch shipped to one just before it joined the set is waited for.
 *
 * <p>Thread contract: {@link #ship} from the write path's sequencer; completion on Vert.x threads.
 */
public final class Replicator implements Replication {
  private static final System.Logger LOG = System.getLogger(Replicator.class.getName());

  private final Vertx vertx;
  private final String nodeId;
  private final TableDirectory tables;
  private final Followers followers;
  private final Consumer<Set<Integer>> stranded;
  private final DeliveryOptions delivery;
  private final Timer roundTrip;

  Replicator(
      Vertx vertx,
      String nodeId,
      TableDirectory tables,
      Followers followers,
      Consumer<Set<Integer>> stranded,
      Duration timeout,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.tables = tables;
    this.followers = followers;
    this.stranded = stranded;
    this.delivery = new DeliveryOptions().setSendTimeout(timeout.toMillis());
    this.roundTrip =
        LatencyTimers.builder("kv.replication.round.trip")
            .description("from shipping a batch to a replica to its answer")
            .register(registry);
  }

  /** One batch on its way: where it went, what each replica answered, and who was awaited. */
  private record Shipment(
      Map<Integer, Long> epochs,
      Map<String, Future<Void>> sent,
      Map<Integer, Set<String>> inSyncAtShip,
      Map<Integer, Set<String>> sentByPartition) {}

  @Override
  public CompletableFuture<Set<Integer>> ship(List<LogRecord> records) {
    PartitionTable table = tables.current();
    Map<Integer, Long> epochs = new HashMap<>();
    Map<String, List<LogRecord>> byReplica = new LinkedHashMap<>();
    Map<Integer, Set<String>> inSyncAtShip = new HashMap<>();
    Map<Integer, Set<String>> sentByPartition = new HashMap<>();
    for (LogRecord record : records) {
      int partition = record.partition();
      epochs.putIfAbsent(partition, record.epoch());
      if (table == null) {
        continue;
      }
      PartitionAssignment assignment = table.assignment(partition);
      Set<String> targets = sentByPartition.computeIfAbsent(partition, p -> new HashSet<>());
      for (String replica : assignment.inSyncReplicas()) {
        inSyncAtShip.computeIfAbsent(partition, p -> new HashSet<>()).add(replica);
        targets.add(replica);
      }
      for (String follower : followers.of(partition)) {
        if (assignment.replicas().contains(follower)) {
          targets.add(follower);
        }
      }
      targets.remove(nodeId);
      for (String replica : targets) {
        byReplica.computeIfAbsent(replica, r -> new ArrayList<>()).add(record);
      }
    }
    Map<String, Future<Void>> sent = new HashMap<>();
    byReplica.forEach((replica, batch) -> sent.put(replica, send(replica, epochs, batch)));
    Shipment shipment = new Shipment(epochs, sent, inSyncAtShip, sentByPartition);
    return settle(shipment)
        .recover(
            error -> {
              LOG.log(Level.ERROR, "replication of a batch failed; not acknowledging it", error);
              stranded.accept(epochs.keySet());
              return Future.succeededFuture(Set.copyOf(epochs.keySet()));
            })
        .toCompletionStage()
        .toCompletableFuture();
  }

  private Future<Void> send(String replica, Map<Integer, Long> epochs, List<LogRecord> batch) {
    long start = System.nanoTime();
    Map<Integer, Long> fences = new HashMap<>();
    batch.forEach(record -> fences.put(record.partition(), epochs.get(record.partition())));
    return vertx
        .eventBus()
        .<Void>request(
            ReplicationAddresses.records(replica), RecordCodec.encode(fences, batch), delivery)
        .<Void>mapEmpty()
        .onComplete(done -> roundTrip.record(Duration.ofNanos(System.nanoTime() - start)))
        .onFailure(
            error -> {
              // A catching-up copy that missed a batch must start over: it may not join the
              // in-sync set on the strength of a catch-up with a hole in it.
              fences.keySet().forEach(partition -> followers.detach(partition, replica));
              LOG.log(
                  Level.WARNING,
                  "replica {0} did not take a batch: {1}",
                  replica,
                  error.getMessage());
            });
  }

  /**
   * Waits for the replicas that must hold the batch (in sync when it was shipped, or since), then
   * takes the failed ones out of the in-sync set; completes with the partitions lost meanwhile.
   */
  private Future<Set<Integer>> settle(Shipment shipment) {
    Map<Integer, Set<String>> awaited = awaited(shipment);
    List<Future<Void>> waits = new ArrayList<>();
    for (Set<String> replicas : awaited.values()) {
      for (String replica : replicas) {
        Future<Void> answer = shipment.sent().get(replica);
        if (answer != null) {
          waits.add(answer);
        }
      }
    }
    return Future.join(waits)
        .transform(
            ignored -> {
              Map<Integer, Set<String>> again = awaited(shipment);
              if (!again.equals(awaited)) {
                // A replica joined the in-sync set while this batch travelled: wait for it too.
                return settle(shipment);
              }
              Map<Integer, Set<String>> failed = failed(shipment, awaited);
              return failed.isEmpty()
                  ? Future.succeededFuture(Set.of())
                  : shrink(shipment.epochs(), failed);
            });
  }

  /** Per partition, the replicas the batch must be on: in sync at shipping, or in sync now. */
  private Map<Integer, Set<String>> awaited(Shipment shipment) {
    PartitionTable now = tables.current();
    Map<Integer, Set<String>> awaited = new HashMap<>();
    shipment.inSyncAtShip().forEach((p, replicas) -> awaited.put(p, new HashSet<>(replicas)));
    for (Integer partition : shipment.epochs().keySet()) {
      if (now == null) {
        continue;
      }
      for (String replica : now.assignment(partition).inSyncReplicas()) {
        if (!replica.equals(nodeId)) {
          awaited.computeIfAbsent(partition, p -> new HashSet<>()).add(replica);
        }
      }
    }
    return awaited;
  }

  /** The awaited replicas that do not hold the batch: they failed, or it was never sent to them. */
  private static Map<Integer, Set<String>> failed(
      Shipment shipment, Map<Integer, Set<String>> awaited) {
    Map<Integer, Set<String>> failed = new HashMap<>();
    awaited.forEach(
        (partition, replicas) -> {
          for (String replica : replicas) {
            Future<Void> answer = shipment.sent().get(replica);
            boolean sentHere =
                shipment.sentByPartition().getOrDefault(partition, Set.of()).contains(replica);
            if (answer == null || !sentHere || answer.failed()) {
              failed.computeIfAbsent(partition, p -> new HashSet<>()).add(replica);
            }
          }
        });
    return failed;
  }

  /**
   * Takes {@code failed} out of the in-sync sets by one table change; the partitions this member no
   * longer leads under the records' epoch are lost (the change leaves them alone).
   */
  private Future<Set<Integer>> shrink(Map<Integer, Long> epochs, Map<Integer, Set<String>> failed) {
    Set<Integer> lost = ConcurrentHashMap.newKeySet();
    return tables
        .change(
            table -> {
              lost.clear();
              List<PartitionAssignment> next = new ArrayList<>(table.partitions());
              for (Map.Entry<Integer, Set<String>> entry : failed.entrySet()) {
                int partition = entry.getKey();
                PartitionAssignment assignment = next.get(partition);
                if (!nodeId.equals(assignment.primary())
                    || assignment.leaderEpoch() != epochs.get(partition)) {
                  lost.add(partition);
                  continue;
                }
                for (String replica : entry.getValue()) {
                  assignment = assignment.withoutInSync(replica);
                }
                next.set(partition, assignment);
              }
              return next.equals(table.partitions()) ? table : table.successor(next);
            })
        // The authority may be out of reach (a lost majority retries for minutes): every write
        // of this member waits behind this batch, so give up and strand the partitions instead.
        .timeout(delivery.getSendTimeout(), TimeUnit.MILLISECONDS)
        .map(
            table -> {
              failed.forEach(
                  (partition, replicas) -> {
                    if (!lost.contains(partition)) {
                      LOG.log(
                          Level.WARNING,
                          "partition {0}: {1} left the in-sync set (epoch {2}): it did not take a"
                              + " write in time",
                          partition,
                          replicas,
                          table.epoch());
                    }
                  });
              return Set.copyOf(lost);
            })
        .recover(
            error -> {
              LOG.log(
                  Level.ERROR,
                  "could not take failed replicas out of the in-sync set; the writes of partitions"
                      + " {0} are not acknowledged",
                  failed.keySet(),
                  error);
              stranded.accept(failed.keySet());
              return Future.succeededFuture(Set.copyOf(failed.keySet()));
            });
  }
}
