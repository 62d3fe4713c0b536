package io.samzakv.oplog;

import static io.samzakv.oplog.LogFiles.key;
import static io.samzakv.oplog.LogFiles.options;
import static io.samzakv.oplog.LogFiles.positions;
import static io.samzakv.oplog.LogFiles.replayAll;
import static io.samzakv.oplog.LogFiles.value;
import static io.samzakv.oplog.OpLogTest.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class DurabilityTest {

  private static final int THREADS = 16;
  private static final int COMMITS_PER_THREAD = 200;

  @TempDir Path dir;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  @Timeout(60)
  void concurrentCommitsAllBecomeDurable() throws Exception {
    ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 20), registry)) {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          workers.add(pool.submit(() -> commitInLoop(log, acknowledged)));
        }
        for (Future<?> worker : workers) {
          worker.get();
        }
      } finally {
        pool.shutdown();
      }
      long commits = THREADS * COMMITS_PER_THREAD;
      assertThat(acknowledged).hasSize((int) commits);
      assertThat(log.lastPosition()).isEqualTo(commits);
      assertThat(registry.get("kv.oplog.fsync.batch").summary().totalAmount()).isEqualTo(commits);
    }
    assertReopenedLogHoldsPositionsThrough(THREADS * COMMITS_PER_THREAD);
  }

  @Test
  void commitNowFsyncsTheCallersBatchBeforeReturning() throws IOException {
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 20), registry)) {
      appendRecords(log, 10);
      assertThat(log.commitNow()).isEqualTo(10L);
      assertThat(fsyncs()).as("one fsync for the batch of ten").isEqualTo(1);
      assertThat(batchTotal()).isEqualTo(10);

      assertThat(log.commitNow()).as("nothing new: no fsync").isEqualTo(10L);
      assertThat(fsyncs()).isEqualTo(1);
    }
    assertReopenedLogHoldsPositionsThrough(10);
  }

  @Test
  void commitNowUnderTheOtherPoliciesReturnsAtOnceWithoutAnFsync() throws IOException {
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.NEVER, 1 << 20), registry)) {
      appendRecords(log, 3);
      assertThat(log.commitNow()).isEqualTo(3L);
      assertThat(fsyncs()).isZero();
    }
  }

  @Test
  void intervalCommitCompletesAtOnceAndABackgroundThreadFsyncs() throws IOException {
    try (OpLog log =
        OpLog.open(
            dir,
            new OpLogOptions(FsyncPolicy.INTERVAL, 1 << 20, Duration.ofMillis(10)),
            registry)) {
      log.append(0, 1, 0, LogOp.PUT, key(1), value(1));
      assertThat(log.commitNow()).isEqualTo(1L);
      log.append(0, 1, 0, LogOp.PUT, key(2), value(2));
      assertThat(log.commitNow()).isEqualTo(2L);

      await().atMost(Duration.ofSeconds(10)).until(() -> batchTotal() == 2);
      assertThat(fsyncs()).isPositive();
    }
  }

  @Test
  void neverCommitCompletesAtOnceAndOnlyCloseFsyncs() throws IOException {
    OpLog log = OpLog.open(dir, options(FsyncPolicy.NEVER, 4L * LogFiles.FRAME), registry);
    LogFiles.appendRecords(log, 1, 10);
    assertThat(log.commitNow()).isEqualTo(10L);
    assertThat(log.segmentCount()).isEqualTo(3);
    assertThat(fsyncs()).isZero();

    log.close();
    assertThat(fsyncs()).isEqualTo(1);
    assertReopenedLogHoldsPositionsThrough(10);
  }

  @Test
  void closeWritesAndFsyncsAppendsThatWereNeverCommitted() throws IOException {
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 20), registry)) {
      log.append(0, 1, 0, LogOp.PUT, key(1), value(1));
    }
    assertThat(fsyncs()).isEqualTo(1);
    assertReopenedLogHoldsPositionsThrough(1);
  }

  private void commitInLoop(OpLog log, ConcurrentLinkedQueue<Long> acknowledged) {
    try {
      for (int i = 0; i < COMMITS_PER_THREAD; i++) {
        long position = log.append(i % 8, 1, 0, LogOp.PUT, key(i), value(i));
        long durable = log.commitNow();
        assertThat(durable).isGreaterThanOrEqualTo(position);
        acknowledged.add(position);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void appendRecords(OpLog log, int count) throws IOException {
    for (int n = 1; n <= count; n++) {
      log.append(0, 1, 0, LogOp.PUT, key(n), value(n));
    }
  }

  /** Reopening the log finds exactly the records 1..last: everything acknowledged survived. */
  private void assertReopenedLogHoldsPositionsThrough(long last) throws IOException {
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.NEVER, 1 << 20), null)) {
      assertThat(positions(replayAll(log, 0))).containsExactlyElementsOf(range(1, last));
    }
  }

  private long fsyncs() {
    return registry.get("kv.oplog.fsync").timer().count();
  }

  private double batchTotal() {
    return registry.get("kv.oplog.fsync.batch").summary().totalAmount();
  }
}
