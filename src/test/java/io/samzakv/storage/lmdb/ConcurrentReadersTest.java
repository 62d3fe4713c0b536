package io.samzakv.storage.lmdb;

import static io.samzakv.storage.lmdb.LmdbStorageEngineTest.b;
import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.storage.KeyValue;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.WriteBatch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentReadersTest {

  private static final int PARTITIONS = 4;
  private static final int HOT_KEYS = 64;
  private static final int READERS = 8;

  @TempDir Path dir;

  @Test
  @Timeout(120)
  void readersSeeWholeBatchesWhileTheWriterForcesResizes() throws Exception {
    try (LmdbStorageEngine engine =
        LmdbStorageEngine.open(dir, PARTITIONS, new LmdbOptions(1 << 20, READERS + 8))) {
      engine.apply(generation(0));
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicLong reads = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(READERS);
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < READERS; r++) {
        readers.add(pool.submit(() -> readUntil(engine, writing, reads)));
      }

      // Each generation rewrites the hot keys and adds 1 MB of new data, so the map, starting at
      // 1 MiB, has to be resized several times while the readers are busy.
      for (int gen = 1; gen <= 40; gen++) {
        engine.apply(generation(gen));
      }
      writing.set(false);
      for (Future<?> reader : readers) {
        reader.get(); // rethrows any reader's failure
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

      assertThat(reads.get()).isGreaterThan(READERS);
      assertThat(generationOf(engine.get(0, hotKey(0)))).isEqualTo(40);
    }
  }

  /** Checks that every read sees one committed generation, never a mix or a gap. */
  private static Void readUntil(LmdbStorageEngine engine, AtomicBoolean writing, AtomicLong reads) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long[] lastSeen = new long[HOT_KEYS];
    int[] all = {0, 1, 2, 3};
    do {
      int k = random.nextInt(HOT_KEYS);
      long gen = generationOf(engine.get(k % PARTITIONS, hotKey(k)));
      assertThat(gen).as("generations only move forward").isGreaterThanOrEqualTo(lastSeen[k]);
      lastSeen[k] = gen;

      List<KeyValue> snapshot = engine.scan(all, b("hot-"), b("hot."), HOT_KEYS);
      assertThat(snapshot).hasSize(HOT_KEYS);
      long scanned = generationOf(snapshot.get(0).value());
      assertThat(snapshot)
          .as("one scan is one snapshot: every hot key from the same batch")
          .allSatisfy(kv -> assertThat(generationOf(kv.value())).isEqualTo(scanned));
      reads.addAndGet(2);
    } while (writing.get());
    return null;
  }

  private static WriteBatch generation(int gen) {
    List<Mutation> mutations = new ArrayList<>();
    for (int k = 0; k < HOT_KEYS; k++) {
      mutations.add(Mutation.put(k % PARTITIONS, hotKey(k), value(gen, 1_000)));
    }
    for (int i = 0; i < 20; i++) {
      mutations.add(Mutation.put(i % PARTITIONS, b("bulk-" + gen + "-" + i), value(gen, 50_000)));
    }
    return new WriteBatch(mutations, gen);
  }

  private static byte[] hotKey(int k) {
    return b(String.format("hot-%03d", k));
  }

  /** The generation, then filler derived from it so a torn or stale value cannot pass. */
  private static byte[] value(long gen, int size) {
    ByteBuffer value = ByteBuffer.allocate(size).putLong(gen);
    while (value.hasRemaining()) {
      value.put((byte) gen);
    }
    return value.array();
  }

  private static long generationOf(byte[] value) {
    long gen = ByteBuffer.wrap(value).getLong();
    assertThat(value)
        .as("value of generation %d is intact", gen)
        .isEqualTo(value(gen, value.length));
    return gen;
  }
}
