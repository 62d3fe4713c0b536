package io.samzakv.jmh;

import org.openjdk.jmh.annotations.Benchmark;

/**
 * A point read of a random existing key from LMDB: the path a cache miss takes, on one reader
 * thread (read transaction, B-tree lookup, copy of the value out of the map).
 */
public class LmdbGetBenchmark extends KvBenchmark {

  @Benchmark
  public byte[] get(PreloadedStore store) {
    int i = PreloadedStore.randomKey();
    return store.engine.get(store.partitionOf[i], store.keys[i]);
  }
}
