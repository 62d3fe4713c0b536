package io.samzakv.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.samzakv.codec.VersionedValue;
import java.util.function.Function;

/**
 * The decoded values of recently used keys, bounded by an approximate byte weight. It only ever
 * holds durable, applied state: the write pipeline updates it after each LMDB commit; a load runs
 * inside Caffeine's per-key compute, so a load that raced a write is overwritten by the writer's
 * {@code put} rather than left stale.
 *
 * <p>Thread contract: safe for any thread.
 */
final class ValueCache {
  /** Rough per-entry cost of the map node, the record and the two arrays' headers. */
  private static final int ENTRY_OVERHEAD_BYTES = 96;

  private final Cache<String, VersionedValue> cache;

  ValueCache(long maxBytes, MeterRegistry registry) {
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher(ValueCache::weigh)
            .recordStats()
            .build();
    if (registry != null) {
      CaffeineCacheMetrics.monitor(registry, cache, "kv.values");
    }
  }

  private static int weigh(String key, VersionedValue value) {
    long bytes = ENTRY_OVERHEAD_BYTES + 2L * key.length() + value.value().length;
    return (int) Math.min(Integer.MAX_VALUE, bytes);
  }

  VersionedValue getIfPresent(String key) {
    return cache.getIfPresent(key);
  }

  /** The cached value, or the loader's (cached when not null). The loader may throw. */
  VersionedValue get(String key, Function<String, VersionedValue> loader) {
    return cache.get(key, loader);
  }

  void put(String key, VersionedValue value) {
    cache.put(key, value);
  }

  void invalidate(String key) {
    cache.invalidate(key);
  }
}
