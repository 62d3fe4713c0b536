package io.samzakv.lock;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gauge {@code kv_locks_held}. Counting reads every lock record, too much for each scrape on an
 * event loop, so this verticle counts now and then and the gauge shows the last count. Deployed
 * with the APIs, it is undeployed before the store closes, so it never counts on a closed store.
 */
public final class LocksHeldGauge extends VerticleBase {
  private static final long PERIOD_MILLIS = 5_000;

  private final LockService locks;
  private final AtomicLong held = new AtomicLong();

  public LocksHeldGauge(LockService locks, MeterRegistry registry) {
    this.locks = locks;
    Gauge.builder("kv.locks.held", held, AtomicLong::get)
        .description("locks held now, as last counted from their records (every 5 s)")
        .strongReference(true)
        .register(registry);
  }

  @Override
  public Future<?> start() {
    count();
    vertx.setPeriodic(PERIOD_MILLIS, timer -> count());
    return Future.succeededFuture();
  }

  /** A failed count (the node not serving yet, a partition elsewhere) keeps the last one. */
  private void count() {
    locks.countHeld().onSuccess(held::set);
  }
}
