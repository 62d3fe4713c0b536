package io.samzakv.store;

import static io.samzakv.store.StoreFixture.await;
import static io.samzakv.store.StoreFixture.bytes;
import static io.samzakv.store.StoreFixture.failure;
import static io.samzakv.store.StoreFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.VersionedValue;
import io.samzakv.kv.WriteResult;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write pipeline under concurrency: conditional writes never lose an update (API.md §4), and
 * concurrent writes share fsyncs (group commit).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WritePipelineConcurrencyTest {
  @RegisterExtension static final SharedVertx vertx = new SharedVertx();

  @TempDir Path dir;
  private StoreFixture fx;

  @BeforeEach
  void openStore() throws Exception {
    fx = StoreFixture.open(dir, vertx.get());
  }

  @AfterEach
  void closeStore() throws Exception {
    fx.close();
    assertThat(fx.offContextCompletions).as("completions off the caller's context").isEmpty();
  }

  @Test
  void concurrentCompareAndSetIncrementsLoseNoUpdate() throws Exception {
    Key key = Key.of("counter");
    int workers = 16;
    int incrementsEach = 25;
    AtomicInteger successes = new AtomicInteger();
    AtomicInteger conflicts = new AtomicInteger();

    await(
        fx.on(
            () -> {
              List<Future<Void>> all = new ArrayList<>();
              for (int w = 0; w < workers; w++) {
                all.add(incrementTimes(key, incrementsEach, successes, conflicts));
              }
              return Future.all(all).mapEmpty();
            }));

    VersionedValue end = await(fx.get("counter"));
    assertThat(successes.get()).isEqualTo(workers * incrementsEach);
    assertThat(end.version()).isEqualTo(successes.get());
    assertThat(text(end.value())).isEqualTo(Integer.toString(successes.get()));
    // The workers really did race: most rounds had losers that had to retry.
    assertThat(conflicts.get()).isPositive();
  }

  /** {@code times} read-modify-write increments of a decimal counter, one after the other. */
  private Future<Void> incrementTimes(
      Key key, int times, AtomicInteger successes, AtomicInteger conflicts) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < times; i++) {
      chain = chain.compose(done -> increment(key, successes, conflicts));
    }
    return chain;
  }

  /** One increment, retried on a version mismatch until it lands. */
  private Future<Void> increment(Key key, AtomicInteger successes, AtomicInteger conflicts) {
    int partition = fx.partition(key);
    return fx.store
        .get(partition, key)
        .recover(
            error ->
                isStatus(error, 404)
                    ? Future.succeededFuture(new VersionedValue(0, bytes("0")))
                    : Future.failedFuture(error))
        .compose(
            current -> {
              long next = Long.parseLong(text(current.value())) + 1;
              return fx.store
                  .put(
                      partition,
                      key,
                      bytes(Long.toString(next)),
                      Precondition.ifVersion(current.version()))
                  .<Void>map(
                      written -> {
                        assertThat(written.version()).isEqualTo(current.version() + 1);
                        successes.incrementAndGet();
                        return null;
                      })
                  .recover(
                      error -> {
                        if (!isStatus(error, 412)) {
                          return Future.failedFuture(error);
                        }
                        conflicts.incrementAndGet();
                        return increment(key, successes, conflicts);
                      });
            });
  }

  @Test
  void concurrentWritesAtTheSameExpectedVersionLetExactlyOneThrough() throws Exception {
    long version = await(fx.put("cas", "v0")).version();
    int racers = 50;
    List<CompletableFuture<WriteResult>> attempts = new ArrayList<>();
    for (int i = 0; i < racers; i++) {
      attempts.add(fx.put("cas", bytes("racer " + i), Precondition.ifVersion(version)));
    }

    int winners = 0;
    for (CompletableFuture<WriteResult> attempt : attempts) {
      try {
        assertThat(await(attempt).version()).isEqualTo(version + 1);
        winners++;
      } catch (KvException e) {
        assertThat(e.status()).isEqualTo(412);
        assertThat(e.currentVersion()).isEqualTo(version + 1);
      }
    }
    assertThat(winners).isEqualTo(1);
    assertThat(await(fx.get("cas")).version()).isEqualTo(version + 1);
  }

  @Test
  void concurrentIfAbsentCreatesLetExactlyOneThroughEachTimeTheKeyIsAbsent() throws Exception {
    for (int round = 0; round < 3; round++) {
      List<CompletableFuture<WriteResult>> attempts = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        attempts.add(fx.put("once", bytes("round " + round + " by " + i), Precondition.ABSENT));
      }
      List<Integer> winners = new ArrayList<>();
      for (int i = 0; i < attempts.size(); i++) {
        try {
          assertThat(await(attempts.get(i)).version()).isEqualTo(1);
          winners.add(i);
        } catch (KvException e) {
          assertThat(e.status()).isEqualTo(412);
          assertThat(e.currentVersion()).isEqualTo(1L);
        }
      }
      assertThat(winners).as("round %d", round).hasSize(1);
      VersionedValue stored = await(fx.get("once"));
      assertThat(stored.version()).isEqualTo(1);
      assertThat(text(stored.value())).isEqualTo("round " + round + " by " + winners.get(0));

      await(fx.delete("once", Precondition.ifVersion(1)));
    }
  }

  @Test
  void concurrentPutsShareFsyncsThroughGroupCommit() throws Exception {
    int writes = 500;
    List<WriteResult> results =
        await(
            fx.on(
                () -> {
                  List<Future<WriteResult>> puts = new ArrayList<>();
                  for (int i = 0; i < writes; i++) {
                    Key key = Key.of("group/" + i);
                    puts.add(
                        fx.store.put(
                            fx.partition(key), key, bytes("value " + i), Precondition.NONE));
                  }
                  return Future.all(puts).map(all -> all.<WriteResult>list());
                }));

    assertThat(results).hasSize(writes).allSatisfy(r -> assertThat(r.version()).isEqualTo(1));
    Timer fsyncs = fx.registry.get("kv.oplog.fsync").timer();
    assertThat(fsyncs.count()).as("fsyncs for %d writes", writes).isPositive().isLessThan(50);
    // Every acknowledged write is readable at once.
    for (int i = 0; i < writes; i += 50) {
      assertThat(text(await(fx.get("group/" + i)).value())).isEqualTo("value " + i);
    }
  }

  @Test
  void deletesAreConditionalAndAnAbsentKeyIsNotFound() throws Exception {
    assertThat(failure(fx.delete("gone", Precondition.NONE)).status()).isEqualTo(404);
    await(fx.put("gone", "a"));
    await(fx.put("gone", "b"));
    KvException stale = failure(fx.delete("gone", Precondition.ifVersion(1)));
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.currentVersion()).isEqualTo(2L);
    await(fx.delete("gone", Precondition.ifVersion(2)));
    assertThat(failure(fx.get("gone")).status()).isEqualTo(404);
    assertThat(await(fx.put("gone", "again")).version()).isEqualTo(1);
  }

  private static boolean isStatus(Throwable error, int status) {
    return error instanceof KvException kv && kv.status() == status;
  }
}
