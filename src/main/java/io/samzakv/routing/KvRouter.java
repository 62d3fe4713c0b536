package io.samzakv.routing;

import io.micrometer.core.instrument.MeterRegistry;
import io.samzakv.cluster.PartitionAssignment;
import io.samzakv.cluster.PartitionTable;
import io.samzakv.cluster.PartitionTables;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.KvService;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.ScanPage;
import io.samzakv.kv.ScanRange;
import io.samzakv.kv.VersionedValue;
import io.samzakv.kv.WriteResult;
import io.samzakv.routing.ForwardProtocol.Fence;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Sends each request to its partition's primary as the partition table names it: this node's own
 * partitions straight to {@link LocalPartitions}, the others over the event bus to their primary
 * (one hop, fenced by the partition's leader epoch; see {@link ForwardedRequests}). Scans ask every
 * primary for its partitions at once and merge the pages.
 *
 * <p>A request that cannot reach a primary able to serve it (no table or no primary yet, a refusal
 * of the sender's epoch, nobody listening at the primary's address, a read timing out) is tried
 * again on a refreshed table, backing off from 20 ms to 400 ms, for up to {@link #RETRY_BOUND};
 * then it is answered 503 so the client retries later. Failures of the request itself (404, 412,
 * 413, 507, a damaged partition, ...) come back as the primary answered them.
 *
 * <p>Thread contract: called on event loops; never blocks.
 */
public final class KvRouter implements KvService {
  /** How long a request keeps trying to reach its partition's primary before a 503. */
  public static final Duration RETRY_BOUND = Duration.ofSeconds(5);

  private static final long FIRST_BACKOFF_MILLIS = 20;
  private static final long MAX_BACKOFF_MILLIS = 400;

  private final Vertx vertx;
  private final PartitionTables tables;
  private final LocalPartitions local;
  private final Forwarder forwarder;
  private final String localNodeId;
  private final Partitioner partitioner;

  public KvRouter(
      Vertx vertx,
      PartitionTables tables,
      LocalPartitions local,
      String localNodeId,
      int partitions,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.tables = tables;
    this.local = local;
    this.forwarder = new Forwarder(vertx, registry, ForwardProtocol.SEND_TIMEOUT);
    this.localNodeId = localNodeId;
    this.partitioner = new Partitioner(partitions);
  }

  @Override
  public Future<VersionedValue> get(Key key) {
    int partition = partitioner.partitionOf(key);
    return retrying(
        () -> {
          PartitionAssignment target = assignment(partition);
          long epoch = target.leaderEpoch();
          return isLocal(target)
              ? local.get(partition, epoch, key)
              : forwarder
                  .send(target.primary(), new ForwardProtocol.Get(new Fence(partition, epoch), key))
                  .map(ForwardProtocol::decodeValue);
        });
  }

  @Override
  public Future<WriteResult> put(Key key, byte[] value, Precondition precondition) {
    int partition = partitioner.partitionOf(key);
    return retrying(
        () -> {
          PartitionAssignment target = assignment(partition);
          long epoch = target.leaderEpoch();
          return isLocal(target)
              ? local.put(partition, epoch, key, value, precondition)
              : forwarder
                  .send(
                      target.primary(),
                      new ForwardProtocol.Put(
                          new Fence(partition, epoch), key, value, precondition))
                  .map(reply -> new WriteResult(key.text(), ForwardProtocol.decodeVersion(reply)));
        });
  }

  @Override
  public Future<Void> delete(Key key, Precondition precondition) {
    int partition = partitioner.partitionOf(key);
    return retrying(
        () -> {
          PartitionAssignment target = assignment(partition);
          long epoch = target.leaderEpoch();
          return isLocal(target)
              ? local.delete(partition, epoch, key, precondition)
              : forwarder
                  .send(
                      target.primary(),
                      new ForwardProtocol.Delete(new Fence(partition, epoch), key, precondition))
                  .mapEmpty();
        });
  }

  /** Asks every primary for up to {@code limit} entries of its partitions and merges the pages. */
  @Override
  public Future<ScanPage> scan(ScanRange range, int limit) {
    return retrying(
        () -> {
          Map<String, List<Fence>> byPrimary = new LinkedHashMap<>();
          PartitionTable table = table();
          for (int partition = 0; partition < partitioner.partitions(); partition++) {
            PartitionAssignment assignment = assignment(table, partition);
            byPrimary
                .computeIfAbsent(assignment.primary(), primary -> new ArrayList<>())
                .add(new Fence(partition, assignment.leaderEpoch()));
          }
          List<Future<ScanPage>> pages = new ArrayList<>(byPrimary.size());
          byPrimary.forEach((primary, fences) -> pages.add(scanAt(primary, fences, range, limit)));
          return Future.all(pages)
              .map(all -> ScanMerge.merge(pages.stream().map(Future::result).toList(), limit));
        });
  }

  private Future<ScanPage> scanAt(String primary, List<Fence> fences, ScanRange range, int limit) {
    ForwardProtocol.Scan scan = new ForwardProtocol.Scan(fences, range, limit);
    return primary.equals(localNodeId)
        ? local.scan(scan.partitions(), range, limit)
        : forwarder.send(primary, scan).map(ForwardProtocol::decodePage);
  }

  private boolean isLocal(PartitionAssignment assignment) {
    return localNodeId.equals(assignment.primary());
  }

  private PartitionTable table() {
    PartitionTable table = tables.current();
    if (table == null) {
      throw new Unroutable("no partition table yet");
    }
    return table;
  }

  private PartitionAssignment assignment(int partition) {
    return assignment(table(), partition);
  }

  private static PartitionAssignment assignment(PartitionTable table, int partition) {
    PartitionAssignment assignment = table.assignment(partition);
    if (assignment.primary() == null) {
      throw new Unroutable(
          "partition " + partition + " has no primary at table epoch " + table.epoch());
    }
    return assignment;
  }

  private <T> Future<T> retrying(Supplier<Future<T>> attempt) {
    return attempt(attempt, System.nanoTime() + RETRY_BOUND.toNanos(), FIRST_BACKOFF_MILLIS);
  }

  private <T> Future<T> attempt(Supplier<Future<T>> attempt, long deadline, long backoffMillis) {
    PartitionTable tried = tables.current();
    Future<T> outcome;
    try {
      outcome = attempt.get();
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    return outcome.recover(
        failure -> {
          if (!(failure instanceof Unroutable)) {
            return Future.failedFuture(failure);
          }
          if (System.nanoTime() + backoffMillis * 1_000_000 > deadline) {
            return Future.failedFuture(KvException.unavailable(failure.getMessage()));
          }
          long next = Math.min(2 * backoffMillis, MAX_BACKOFF_MILLIS);
          // A newer table may already name a primary that serves: go at once. The same table
          // would only send it to the same place: give the cluster a moment to change it.
          return tables
              .refresh()
              .otherwise(tried)
              .compose(
                  fresh ->
                      isNewer(fresh, tried)
                          ? attempt(attempt, deadline, next)
                          : vertx
                              .timer(backoffMillis)
                              .compose(fired -> attempt(attempt, deadline, next)));
        });
  }

  private static boolean isNewer(PartitionTable fresh, PartitionTable tried) {
    return fresh != null && (tried == null || fresh.epoch() > tried.epoch());
  }
}
