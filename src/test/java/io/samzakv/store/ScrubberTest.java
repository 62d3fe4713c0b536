package io.samzakv.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.samzakv.codec.ValueCodec;
import io.samzakv.kv.Alarms;
import io.samzakv.kv.PartitionCheck;
import io.samzakv.storage.PartitionScrub;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.ValueCheck;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On-demand scrubs: however often they are asked for, one runs and at most one waits. */
class ScrubberTest {
  @TempDir Path dir;

  @Test
  void requestsWhileOneWaitsShareItSoScrubsNeverPileUp() throws Exception {
    CountDownLatch firstScrubStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger partitionScrubs = new AtomicInteger();
    try (StorageEngine real = StoreFixture.openStorage(dir);
        StorageEngine gated =
            new ForwardingStorageEngine(real) {
              @Override
              public PartitionScrub scrub(int partition, ValueCheck check) {
                partitionScrubs.incrementAndGet();
                firstScrubStarted.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return super.scrub(partition, check);
              }
            }) {
      Scrubber scrubber =
          new Scrubber(
              gated,
              new ValueCodec(true, LocalStore.LARGEST_VALUE_BYTES),
              new PartitionHealth(new Alarms(), gated.location()),
              new SimpleMeterRegistry());
      try {
        CompletableFuture<List<PartitionCheck>> running = scrubber.scrubNow();
        assertThat(firstScrubStarted.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<List<PartitionCheck>> waiting = scrubber.scrubNow();
        List<CompletableFuture<List<PartitionCheck>>> more =
            List.of(scrubber.scrubNow(), scrubber.scrubNow(), scrubber.scrubNow());

        assertThat(more).allSatisfy(request -> assertThat(request).isSameAs(waiting));
        assertThat(waiting).isNotSameAs(running);

        release.countDown();
        assertThat(running.get(30, TimeUnit.SECONDS)).hasSize(real.partitionCount());
        assertThat(waiting.get(30, TimeUnit.SECONDS)).hasSize(real.partitionCount());
        assertThat(partitionScrubs.get())
            .as("two full scrubs")
            .isEqualTo(2 * real.partitionCount());
      } finally {
        scrubber.close();
      }
    }
  }
}
