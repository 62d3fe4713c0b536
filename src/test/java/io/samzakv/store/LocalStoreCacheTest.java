package io.samzakv.store;

import static io.samzakv.store.StoreFixture.await;
import static io.samzakv.store.StoreFixture.bytes;
import static io.samzakv.store.StoreFixture.failure;
import static io.samzakv.store.StoreFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.VersionedValue;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The value cache never answers anything but the latest acknowledged state. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalStoreCacheTest {
  @RegisterExtension static final SharedVertx vertx = new SharedVertx();

  @TempDir Path dir;

  @Test
  void cachedReadsFollowEveryPutAndDelete() throws Exception {
    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      await(fx.put("k", "one"));
      assertValue(fx, "k", 1, "one");
      assertValue(fx, "k", 1, "one");
      assertThat(cacheGets(fx, "hit")).as("second read served by the cache").isPositive();

      await(fx.put("k", "two"));
      double hits = cacheGets(fx, "hit");
      assertValue(fx, "k", 2, "two");
      assertValue(fx, "k", 2, "two");
      assertThat(cacheGets(fx, "hit"))
          .as("the new value cached by the read after the put")
          .isGreaterThan(hits);

      await(fx.delete("k", Precondition.NONE));
      assertThat(failure(fx.get("k")).status()).isEqualTo(404);
      assertThat(failure(fx.get("k")).status()).isEqualTo(404);

      await(fx.put("k", "three"));
      assertValue(fx, "k", 1, "three");
      assertThat(fx.offContextCompletions).isEmpty();
    }
  }

  @Test
  void valuesTheCacheCannotHoldAreReadBackFromLmdb() throws Exception {
    Random random = new Random(7);
    byte[][] values = new byte[200][];
    try (StoreFixture fx =
        StoreFixture.open(dir, vertx.get(), StoreFixture.Settings.defaults().withCacheBytes(0))) {
      for (int i = 0; i < values.length; i++) {
        values[i] = new byte[1 + random.nextInt(4096)];
        random.nextBytes(values[i]);
        await(fx.put("big/" + i, values[i], Precondition.NONE));
      }
      for (int i = 0; i < values.length; i += 2) {
        values[i][0]++;
        assertThat(await(fx.put("big/" + i, values[i], Precondition.NONE)).version()).isEqualTo(2);
      }
      for (int i = 0; i < values.length; i++) {
        VersionedValue read = await(fx.get("big/" + i));
        assertThat(read.version()).as("big/%d", i).isEqualTo(i % 2 == 0 ? 2 : 1);
        assertThat(read.value()).as("big/%d", i).isEqualTo(values[i]);
      }
      assertThat(cacheGets(fx, "miss")).as("reads that went to LMDB").isPositive();
      assertThat(fx.offContextCompletions).isEmpty();
    }
  }

  /**
   * Each round a write of "k" races two loads of it. With room for about one entry "k" is also
   * evicted by writes of "other"; with the default size only the writes' invalidations remove it.
   */
  @ParameterizedTest
  @ValueSource(longs = {200, 256L << 20})
  void readsRacingWritesNeverLeaveAStaleValueCached(long cacheBytes) throws Exception {
    try (StoreFixture fx =
        StoreFixture.open(
            dir, vertx.get(), StoreFixture.Settings.defaults().withCacheBytes(cacheBytes))) {
      Key key = Key.of("k");
      Key other = Key.of("other");
      int partition = fx.partition(key);
      for (int round = 1; round <= 200; round++) {
        int n = round;
        await(
            fx.on(
                () ->
                    Future.all(
                            fx.store.put(
                                fx.partition(other), other, bytes("evict"), Precondition.NONE),
                            fx.store.get(partition, key).otherwise((VersionedValue) null),
                            fx.store.put(partition, key, bytes("v" + n), Precondition.NONE),
                            fx.store.get(partition, key).otherwise((VersionedValue) null))
                        .mapEmpty()));
        assertValue(fx, "k", round, "v" + round);
      }
    }
  }

  @Test
  void aFailedConditionalWriteLeavesTheCachedValueAlone() throws Exception {
    try (StoreFixture fx = StoreFixture.open(dir, vertx.get())) {
      await(fx.put("k", "kept"));
      KvException error = failure(fx.put("k", bytes("lost"), Precondition.ifVersion(5)));
      assertThat(error.status()).isEqualTo(412);
      KvException absent = failure(fx.put("k", bytes("lost"), Precondition.ABSENT));
      assertThat(absent.currentVersion()).isEqualTo(1L);
      assertValue(fx, "k", 1, "kept");
    }
  }

  private static void assertValue(StoreFixture fx, String key, long version, String value)
      throws Exception {
    VersionedValue read = await(fx.get(key));
    assertThat(read.version()).as("version of %s", key).isEqualTo(version);
    assertThat(text(read.value())).as("value of %s", key).isEqualTo(value);
  }

  private static double cacheGets(StoreFixture fx, String result) {
    return fx.registry.get("cache.gets").tag("result", result).functionCounter().count();
  }
}
