package io.samzakv.jmh;

import io.samzakv.storage.KeyValue;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * A range scan of 1,000 keys across all 64 partitions, as the HTTP range scan asks the engine for
 * it: one read transaction, a cursor per partition, merged in key order, keys and values copied
 * out. It starts at a random key, and the keyspace is dense, so every scan returns 1,000 entries.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ScanBenchmark extends KvBenchmark {

  private static final int LIMIT = 1_000;

  @Benchmark
  public List<KeyValue> scan1000(PreloadedStore store) {
    int start = ThreadLocalRandom.current().nextInt(PreloadedStore.KEYS - LIMIT);
    return store.engine.scan(store.allPartitions, store.keys[start], null, LIMIT);
  }
}
