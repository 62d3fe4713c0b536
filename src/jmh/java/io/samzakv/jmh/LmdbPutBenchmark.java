package io.samzakv.jmh;

import io.samzakv.storage.Mutation;
import io.samzakv.storage.WriteBatch;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * Applying a write batch to LMDB, as the write path does once a group commit is durable: one write
 * transaction per batch (no fsync: the engine runs with MDB_NOSYNC and leaves durability to the op
 * log). Each put overwrites a random preloaded key with a 100-byte value.
 */
public class LmdbPutBenchmark extends KvBenchmark {

  /** A typical group-commit batch under load (the op log averages ~16 records per fsync). */
  private static final int BATCH = 64;

  @Benchmark
  public void putOne(PreloadedStore store) {
    Mutation put = store.put(PreloadedStore.randomKey());
    store.engine.apply(new WriteBatch(List.of(put), store.nextPosition()));
  }

  /** Scored per batch of 64: divide by 64 for the cost of one put inside a batch. */
  @Benchmark
  public void putBatchOf64(PreloadedStore store) {
    Mutation[] puts = new Mutation[BATCH];
    for (int n = 0; n < BATCH; n++) {
      puts[n] = store.put(PreloadedStore.randomKey());
    }
    store.engine.apply(new WriteBatch(List.of(puts), store.nextPosition()));
  }
}
