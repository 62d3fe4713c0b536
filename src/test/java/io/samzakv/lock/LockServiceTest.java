package io.samzakv.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.api.http.MapKvService;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.KvService;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.ScanPage;
import io.samzakv.kv.ScanRange;
import io.samzakv.kv.VersionedValue;
import io.samzakv.kv.WriteResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link LockService} over a map-backed {@link KvService} and a clock the test moves: tokens,
 * leases, releases and races decided by the conditional write, without waiting for real time.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LockServiceTest {
  private static final long T0 = 1_800_000_000_000L;

  private static Vertx vertx;

  private final MapKvService kv = new MapKvService(1 << 20);
  private final AtomicLong clock = new AtomicLong(T0);
  private final LockService locks = new LockService(vertx, kv, clock::get);

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  /** 200 when the future succeeds, else its {@link KvException}'s status. */
  private static int statusOf(Future<?> future) {
    try {
      future.await();
      return 200;
    } catch (KvException e) {
      return e.status();
    }
  }

  @Test
  void theFirstTokenIsTheClockShiftedAndASecondAcquireIs409() {
    long token = locks.acquire("job", 10_000, 0).await();

    assertThat(token).isEqualTo(T0 << 10);
    assertThat(statusOf(locks.acquire("job", 10_000, 0))).isEqualTo(409);
  }

  @Test
  void releaseKeepsTheTokenSoTheNextHolderGetsALargerOneOnTheSameMillisecond() {
    long first = locks.acquire("job", 10_000, 0).await();
    locks.release("job", first).await();

    long second = locks.acquire("job", 10_000, 0).await();

    assertThat(second).isEqualTo(first + 1);
    assertThat(statusOf(locks.release("job", first))).isEqualTo(409);
  }

  @Test
  void tokensKeepGrowingWhenTheClockStepsBack() {
    long first = locks.acquire("job", 10_000, 0).await();
    locks.release("job", first).await();
    clock.set(T0 - TimeUnit.HOURS.toMillis(1));

    long second = locks.acquire("job", 10_000, 0).await();

    assertThat(second).isGreaterThan(first);
  }

  @Test
  void aLeaseThatRanOutIsFreeAndItsTokenNoLongerReleases() {
    long first = locks.acquire("job", 1_000, 0).await();
    clock.addAndGet(999);
    assertThat(statusOf(locks.acquire("job", 10_000, 0))).isEqualTo(409);
    clock.addAndGet(1);

    long second = locks.acquire("job", 10_000, 0).await();

    assertThat(second).isGreaterThan(first);
    assertThat(statusOf(locks.release("job", first))).isEqualTo(409);
    assertThat(statusOf(locks.release("job", second))).isEqualTo(200);
  }

  @Test
  void releaseOfANeverTakenOrAlreadyReleasedLockIs409() {
    assertThat(statusOf(locks.release("never", 1))).isEqualTo(409);
    long token = locks.acquire("once", 10_000, 0).await();
    locks.release("once", token).await();

    assertThat(statusOf(locks.release("once", token))).isEqualTo(409);
  }

  @Test
  void aLockIsARecordInTheReservedKeySpaceThatUserScansDoNotSee() {
    long token = locks.acquire("job", 10_000, 0).await();
    kv.put(Key.of("lock/job"), new byte[] {1}, Precondition.NONE).await();

    assertThat(kv.get(Key.reserved("lock/job")).await().value()).hasSize(18);
    ScanPage everything = kv.scan(ScanRange.between(null, null), 100).await();
    assertThat(everything.items()).extracting(item -> item.key()).containsExactly("lock/job");
    assertThat(token).isPositive();
  }

  @Test
  void aDamagedRecordIs500NeverAFreeLock() {
    kv.put(Key.reserved("lock/job"), new byte[] {9, 9, 9}, Precondition.NONE).await();

    assertThat(statusOf(locks.acquire("job", 10_000, 0))).isEqualTo(500);
    assertThat(statusOf(locks.release("job", 1))).isEqualTo(500);
  }

  @Test
  void countHeldCountsLiveLeasesOnlyAcrossPages() {
    List<Long> tokens = new ArrayList<>();
    for (int i = 0; i < 1_200; i++) {
      tokens.add(locks.acquire("many-" + i, i < 1_100 ? 10_000 : 100, 0).await());
    }
    for (int i = 0; i < 50; i++) {
      locks.release("many-" + i, tokens.get(i)).await();
    }
    kv.put(Key.of("lock/not-a-lock"), new byte[] {1}, Precondition.NONE).await();
    assertThat(locks.countHeld().await()).isEqualTo(1_150);

    clock.addAndGet(100);

    assertThat(locks.countHeld().await()).isEqualTo(1_050);
  }

  @Test
  void ofConcurrentAcquirersThatAllReadTheFreeLockExactlyOneWins() {
    GatedReads gated = new GatedReads(kv);
    LockService racing = new LockService(vertx, gated, clock::get);
    for (int round = 0; round < 5; round++) {
      gated.close();
      List<Future<Long>> attempts = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        attempts.add(racing.acquire("contended", 10_000, 0));
      }
      // Every acquirer has read the same free record before any of them writes.
      gated.open();

      List<Integer> statuses = attempts.stream().map(LockServiceTest::statusOf).toList();

      assertThat(statuses).as("round %d", round).containsOnly(200, 409).containsOnlyOnce(200);
      assertThat(gated.mismatches()).as("writes that lost the race").isEqualTo(7 * (round + 1));
      long winner = attempts.stream().filter(Future::succeeded).findFirst().orElseThrow().result();
      racing.release("contended", winner).await();
    }
  }

  @Test
  void ofTwoReleasesWithTheHoldersTokenExactlyOneSucceeds() {
    long token = locks.acquire("job", 10_000, 0).await();
    GatedReads gated = new GatedReads(kv);
    LockService racing = new LockService(vertx, gated, clock::get);
    gated.close();

    Future<Void> one = racing.release("job", token);
    Future<Void> two = racing.release("job", token);
    gated.open();

    assertThat(List.of(statusOf(one), statusOf(two))).containsExactlyInAnyOrder(200, 409);
  }

  @Test
  void aWaiterTakesTheLockOnceTheHolderReleases() {
    long first = locks.acquire("job", 10_000, 0).await();
    LockService realTime = new LockService(vertx, kv);

    Future<Long> waiter = realTime.acquire("job", 10_000, 10_000);
    vertx.timer(50).compose(fired -> locks.release("job", first)).await();

    assertThat(waiter.await()).isGreaterThan(first);
  }

  /**
   * Reads at once but, while closed, holds back every answer until opened, so that concurrent
   * callers all see the record as it was before any of them wrote; counts the writes refused for a
   * changed version.
   */
  private static final class GatedReads implements KvService {
    private final KvService inner;
    private final AtomicInteger mismatches = new AtomicInteger();
    private Promise<Void> gate = Promise.promise();

    GatedReads(KvService inner) {
      this.inner = inner;
      gate.complete();
    }

    synchronized void close() {
      gate = Promise.promise();
    }

    synchronized void open() {
      gate.complete();
    }

    int mismatches() {
      return mismatches.get();
    }

    @Override
    public synchronized Future<VersionedValue> get(Key key) {
      var read = inner.get(key);
      return gate.future().compose(open -> read);
    }

    @Override
    public Future<WriteResult> put(Key key, byte[] value, Precondition precondition) {
      return inner
          .put(key, value, precondition)
          .onFailure(
              error -> {
                if (error instanceof KvException kvError && kvError.status() == 412) {
                  mismatches.incrementAndGet();
                }
              });
    }

    @Override
    public Future<Void> delete(Key key, Precondition precondition) {
      return inner.delete(key, precondition);
    }

    @Override
    public Future<ScanPage> scan(ScanRange range, int limit) {
      return inner.scan(range, limit);
    }
  }
}
