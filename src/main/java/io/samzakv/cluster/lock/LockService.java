package io.samzakv.cluster.lock;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.samzakv.kv.KvException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Cluster-wide named locks with leases and fencing tokens, kept in a Hazelcast map (backed up like
 * any map entry, so a lock survives its owner member's death). Acquire and release are entry
 * processors, atomic on the entry's owner; waiting is a non-blocking retry on Vert.x timers.
 *
 * <p>Thread contract: methods are called on an event loop and never block (only the constructor
 * does).
 */
public final class LockService {
  private static final long FIRST_RETRY_MILLIS = 5;
  private static final long MAX_RETRY_MILLIS = 100;

  private final Vertx vertx;
  private final IMap<String, LockState> locks;

  public LockService(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.locks = hazelcast.getMap("kv-locks");
  }

  /** The new holder's fencing token; fails with 409 when not acquired within {@code waitMillis}. */
  public Future<Long> acquire(String name, long ttlMillis, long waitMillis) {
    return attempt(name, ttlMillis, System.currentTimeMillis() + waitMillis, FIRST_RETRY_MILLIS);
  }

  private Future<Long> attempt(String name, long ttlMillis, long deadline, long backoff) {
    return onContext(locks.submitToKey(name, new AcquireLock(ttlMillis)))
        .compose(
            token -> {
              if (token != 0) {
                return Future.succeededFuture(token);
              }
              long left = deadline - System.currentTimeMillis();
              if (left <= 0) {
                return Future.failedFuture(
                    KvException.conflict("lock_held", "lock '" + name + "' is held by another"));
              }
              long delay = Math.min(backoff, left);
              return vertx
                  .timer(delay)
                  .compose(
                      fired ->
                          attempt(
                              name, ttlMillis, deadline, Math.min(backoff * 2, MAX_RETRY_MILLIS)));
            });
  }

  /** Releases the lock; fails with 409 when {@code token} is not the current holder's. */
  public Future<Void> release(String name, long token) {
    return onContext(locks.submitToKey(name, new ReleaseLock(token)))
        .compose(
            released ->
                released
                    ? Future.succeededFuture()
                    : Future.failedFuture(
                        KvException.conflict(
                            "not_holder",
                            "token " + token + " does not hold lock '" + name + "'")));
  }

  private <T> Future<T> onContext(java.util.concurrent.CompletionStage<T> stage) {
    Context context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(stage, context);
  }
}
