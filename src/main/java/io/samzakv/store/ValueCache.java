package io.samzakv.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.samzakv.kv.VersionedValue;
import java.util.function.Function;

/**
 * The decoded values of recently used keys, bounded by an approximate byte weight. It only ever
 * holds durable, applied state: only reads fill it, from LMDB, and the write pipeline invalidates a
 * key after each LMDB commit that changes it. A load runs inside Caffeine's per-key compute, so the
 * invalidation of a write that raced it waits for the load and then removes what it loaded, rather
 * than leaving it stale.
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

  /**
   * Drops the key. Through {@code compute}, not {@code invalidate}: Caffeine leaves an invalidation
   * racing a load undefined, while two computes on one key are serialized, so a load that read the
   * old value from LMDB is removed here, never cached after it.
   */
  void invalidate(String key) {
    cache.asMap().compute(key, (absent, stale) -> null);
  }

  /**
   * Drops everything: after a copy of a partition replaced what this node held. That partition is
   * served by another member meanwhile, so no load of its keys can race this.
   */
  void invalidateAll() {
    cache.invalidateAll();
  }
}
