package io.samzakv.lock;

import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.KvService;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.ScanPage;
import io.samzakv.kv.ScanRange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * Named locks with leases and fencing tokens, kept as records of the store itself: lock {@code n}
 * is the reserved key {@code NUL + "lock/" + n} (see {@link Key#reserved}), read and written
 * through the same {@link KvService} as any key. So a grant or release is in the op log and LMDB
 * before it is answered, survives a crash, is rebuilt by recovery, and is routed to the partition
 * of its key like any write.
 *
 * <p>Acquire reads the record and, when the lock is free, writes the new holder conditionally on
 * the version it read, so of concurrent acquirers exactly one wins; a lost race reads again.
 * Release does the same with the record marked released. Waiting is a non-blocking retry on Vert.x
 * timers. Leases are measured on the wall clock, since they must outlive the process.
 *
 * <p>Thread contract: methods are called on an event loop and never block.
 */
public final class LockService {
  private static final String PREFIX = "lock/";

  /** Lock names may be as long as the reserved key they become allows: NUL, prefix, name. */
  public static final int MAX_NAME_BYTES = Key.MAX_BYTES - 1 - PREFIX.length();

  private static final ScanRange ALL_LOCKS = ScanRange.prefix(Key.reserved(PREFIX));
  private static final int COUNT_PAGE = 1000;
  private static final long FIRST_RETRY_MILLIS = 5;
  private static final long MAX_RETRY_MILLIS = 100;

  private final Vertx vertx;
  private final KvService kv;
  private final LongSupplier clock;

  public LockService(Vertx vertx, KvService kv) {
    this(vertx, kv, System::currentTimeMillis);
  }

  LockService(Vertx vertx, KvService kv, LongSupplier clock) {
    this.vertx = vertx;
    this.kv = kv;
    this.clock = clock;
  }

  /** The new holder's fencing token; fails with 409 when not acquired within {@code waitMillis}. */
  public Future<Long> acquire(String name, long ttlMillis, long waitMillis) {
    Key key = Key.reserved(PREFIX + name);
    return attempt(key, name, ttlMillis, clock.getAsLong() + waitMillis, FIRST_RETRY_MILLIS);
  }

  private Future<Long> attempt(Key key, String name, long ttlMillis, long deadline, long backoff) {
    return read(key, name)
        .compose(
            current -> {
              long now = clock.getAsLong();
              if (!current.record().heldAt(now)) {
                LockRecord granted = current.record().grantedAt(now, ttlMillis);
                return kv.put(key, granted.encode(), current.precondition())
                    .map(written -> granted.token())
                    // Another write came between the read and this one: read again.
                    .recover(
                        error ->
                            isVersionMismatch(error)
                                ? attempt(key, name, ttlMillis, deadline, backoff)
                                : Future.failedFuture(error));
              }
              long left = deadline - now;
              if (left <= 0) {
                return Future.failedFuture(
                    KvException.conflict("lock_held", "lock '" + name + "' is held by another"));
              }
              return vertx
                  .timer(Math.min(backoff, left))
                  .compose(
                      fired ->
                          attempt(
                              key,
                              name,
                              ttlMillis,
                              deadline,
                              Math.min(backoff * 2, MAX_RETRY_MILLIS)));
            });
  }

  /** Releases the lock; fails with 409 when {@code token} is not the current holder's. */
  public Future<Void> release(String name, long token) {
    Key key = Key.reserved(PREFIX + name);
    return read(key, name)
        .compose(
            current -> {
              if (!current.record().heldBy(token, clock.getAsLong())) {
                return Future.failedFuture(
                    KvException.conflict(
                        "not_holder", "token " + token + " does not hold lock '" + name + "'"));
              }
              return kv.put(key, current.record().releasedNow().encode(), current.precondition())
                  .<Void>mapEmpty()
                  .recover(
                      error ->
                          isVersionMismatch(error)
                              ? release(name, token)
                              : Future.failedFuture(error));
            });
  }

  /**
   * How many locks are held now, counted from their records (every lock ever taken keeps one, so
   * this reads them all).
   */
  public Future<Long> countHeld() {
    return countHeld(ALL_LOCKS, 0);
  }

  private Future<Long> countHeld(ScanRange range, long countedSoFar) {
    return kv.scan(range, COUNT_PAGE)
        .compose(
            page -> {
              long now = clock.getAsLong();
              long counted =
                  countedSoFar
                      + page.items().stream()
                          .filter(item -> LockRecord.decode(item.value(), item.key()).heldAt(now))
                          .count();
              return page.next() == null
                  ? Future.succeededFuture(counted)
                  : countHeld(range.startingAtLeast(nextStart(page)), counted);
            });
  }

  private static byte[] nextStart(ScanPage page) {
    return page.next().getBytes(StandardCharsets.UTF_8);
  }

  /** The lock's record and the version to write it back on; never taken = version 0. */
  private Future<Versioned> read(Key key, String name) {
    return kv.get(key)
        .map(value -> new Versioned(value.version(), LockRecord.decode(value.value(), name)))
        .recover(
            error ->
                error instanceof KvException kvError && kvError.status() == 404
                    ? Future.succeededFuture(new Versioned(0, LockRecord.NEVER_TAKEN))
                    : Future.failedFuture(error));
  }

  private static boolean isVersionMismatch(Throwable error) {
    return error instanceof KvException kvError && kvError.status() == 412;
  }

  /** A record with the store's version of it. */
  private record Versioned(long version, LockRecord record) {
    /** Writes only over exactly this version; 0 = only while there is no record. */
    Precondition precondition() {
      return Precondition.ifVersion(version);
    }
  }
}
