package io.samzakv.jmh;

import io.samzakv.codec.ValueCodec;
import io.samzakv.kv.Key;
import io.samzakv.routing.Partitioner;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.WriteBatch;
import io.samzakv.storage.lmdb.LmdbOptions;
import io.samzakv.storage.lmdb.LmdbStorageEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * An LMDB engine laid out as a node's: 64 partitions, keys placed by the node's {@link
 * Partitioner}, preloaded with 100k keys of 100-byte values. One per trial, in a scratch directory.
 *
 * <p>The engine allows one writer at a time; the benchmarks that write run on one thread.
 */
@State(Scope.Benchmark)
public class PreloadedStore {

  static final int PARTITIONS = 64;
  static final int KEYS = 100_000;
  static final int VALUE_BYTES = 100;

  /** Mutations per preload transaction; the node's group-commit batches are of this order. */
  private static final int PRELOAD_BATCH = 1_000;

  /** Big enough that the map never grows during a run: growth is not what is measured here. */
  private static final LmdbOptions OPTIONS =
      new LmdbOptions(1L << 30, 64, ValueCodec.IDENTIFYING_BYTES);

  final byte[][] keys = new byte[KEYS][];
  final int[] partitionOf = new int[KEYS];

  /** Every partition, as the HTTP range scan passes them. */
  final int[] allPartitions = IntStream.range(0, PARTITIONS).toArray();

  final byte[] value = Values.random(VALUE_BYTES);

  LmdbStorageEngine engine;
  private Path dir;
  private long position;

  @Setup(Level.Trial)
  public void open() throws IOException {
    Partitioner partitioner = new Partitioner(PARTITIONS);
    for (int i = 0; i < KEYS; i++) {
      keys[i] = Values.key(i).getBytes(StandardCharsets.UTF_8);
      partitionOf[i] = partitioner.partitionOf(Key.fromUtf8(keys[i]));
    }
    dir = Scratch.create("lmdb");
    try {
      engine = LmdbStorageEngine.open(dir, PARTITIONS, OPTIONS);
      preload();
    } catch (RuntimeException e) {
      // JMH skips the tear-down of a trial whose set-up failed.
      close();
      throw e;
    }
  }

  private void preload() {
    for (int from = 0; from < KEYS; from += PRELOAD_BATCH) {
      List<Mutation> batch = new ArrayList<>(PRELOAD_BATCH);
      for (int i = from; i < Math.min(KEYS, from + PRELOAD_BATCH); i++) {
        batch.add(put(i));
      }
      engine.apply(new WriteBatch(batch, nextPosition()));
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    if (engine != null) {
      engine.close();
    }
    Scratch.delete(dir);
  }

  /** A uniformly random index of a preloaded key. */
  static int randomKey() {
    return ThreadLocalRandom.current().nextInt(KEYS);
  }

  /** An overwrite of key i: the keyspace stays the same size however long a run lasts. */
  Mutation put(int i) {
    return Mutation.put(partitionOf[i], keys[i], value);
  }

  /** The op-log position the next batch claims to apply through; one writer thread only. */
  long nextPosition() {
    return ++position;
  }
}
