package io.samzakv.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

/**
 * A {@link TableStore} over one atomically replaceable string holding the table's JSON. The
 * compare-and-set reads the stored string, checks its epoch is the one the new table follows, and
 * swaps on that exact string, so a table that changed in between (even to one with the same epoch
 * written by another member) makes the swap fail instead of being overwritten.
 *
 * <p>Thread contract: safe for any thread; never blocks the caller. Hazelcast's asynchronous calls
 * are used where it has them, its blocking ones run on a small worker pool of the store's own, so a
 * call that waits out a Raft election holds no Vert.x thread. Futures complete on the caller's
 * Vert.x context.
 */
abstract class AtomicTableStore implements TableStore {
  private static final int THREADS = 2;

  private final Vertx vertx;
  private final WorkerExecutor blocking;

  AtomicTableStore(Vertx vertx, String poolName) {
    this.vertx = vertx;
    this.blocking = vertx.createSharedWorkerExecutor(poolName, THREADS);
  }

  /** The stored string, or null. */
  abstract Future<String> get();

  /** Stores {@code value} if nothing is stored; true if it was. */
  abstract Future<Boolean> setIfAbsent(String value);

  /** Replaces {@code expected} with {@code next} if {@code expected} is still stored. */
  abstract Future<Boolean> swap(String expected, String next);

  @Override
  public Future<PartitionTable> read() {
    return get().map(AtomicTableStore::decode);
  }

  @Override
  public Future<Boolean> create(PartitionTable first) {
    return setIfAbsent(first.toJson().encode());
  }

  @Override
  public Future<Boolean> compareAndSet(PartitionTable next) {
    return get()
        .compose(
            stored -> {
              if (stored == null || decode(stored).epoch() != next.epoch() - 1) {
                return Future.succeededFuture(false);
              }
              return swap(stored, next.toJson().encode());
            });
  }

  /** Runs a blocking Hazelcast call on the store's worker pool. */
  <T> Future<T> blocking(Callable<T> call) {
    return blocking.executeBlocking(call, false);
  }

  /** Follows an asynchronous Hazelcast call back onto the caller's Vert.x context. */
  <T> Future<T> onVertx(CompletionStage<T> call) {
    return Future.fromCompletionStage(call, vertx.getOrCreateContext());
  }

  private static PartitionTable decode(String json) {
    return json == null ? null : PartitionTable.fromJson(new JsonObject(json));
  }
}
