package io.samzakv.oplog;

import static io.samzakv.oplog.LogFiles.FRAME;
import static io.samzakv.oplog.LogFiles.appendRecords;
import static io.samzakv.oplog.LogFiles.key;
import static io.samzakv.oplog.LogFiles.options;
import static io.samzakv.oplog.LogFiles.positions;
import static io.samzakv.oplog.LogFiles.replayAll;
import static io.samzakv.oplog.LogFiles.segment;
import static io.samzakv.oplog.LogFiles.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpLogTest {

  @TempDir Path dir;

  @Test
  void newLogIsEmptyAndStartsAtPositionOne() throws IOException {
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 20), null)) {
      assertThat(log.lastPosition()).isZero();
      assertThat(log.segmentCount()).isEqualTo(1);
      assertThat(log.recoveryReport()).isEqualTo(RecoveryReport.clean(0));
      assertThat(replayAll(log, 0)).isEmpty();
      assertThat(log.append(0, 1, 0, LogOp.PUT, key(1), value(1))).isEqualTo(1);
    }
  }

  @Test
  void reopenedLogReplaysEveryRecordInOrder() throws IOException {
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 20), null)) {
      appendRecords(log, 1, 100);
      log.append(3, 1, 0, LogOp.DELETE, key(101), null);
      log.append(2, 1, 0, LogOp.PUT, key(102), new byte[0]);
      log.commitNow();
    }
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 20), null)) {
      assertThat(log.lastPosition()).isEqualTo(102);
      List<LogRecord> records = replayAll(log, 0);
      assertThat(positions(records)).containsExactlyElementsOf(range(1, 102));
      assertThat(records.get(41))
          .usingRecursiveComparison()
          .isEqualTo(new LogRecord(42, 2, 1, 0, LogOp.PUT, key(42), value(42)));
      assertThat(records.get(100))
          .usingRecursiveComparison()
          .isEqualTo(new LogRecord(101, 3, 1, 0, LogOp.DELETE, key(101), null));
      assertThat(records.get(101).value()).isEmpty();
    }
  }

  @Test
  void replayFromPositionSkipsOlderRecordsAcrossSegments() throws IOException {
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 10 * FRAME), null)) {
      appendRecords(log, 1, 95);
      assertThat(positions(replayAll(log, 37))).containsExactlyElementsOf(range(38, 95));
      assertThat(replayAll(log, 95)).isEmpty();
    }
  }

  @Test
  void replaySeesAppendsNotYetCommitted() throws IOException {
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 20), null)) {
      log.append(0, 1, 0, LogOp.PUT, key(1), value(1));
      assertThat(positions(replayAll(log, 0))).containsExactly(1L);
    }
  }

  @Test
  void activeSegmentRollsBeforeACommitThatWouldTakeItPastSegmentBytes() throws IOException {
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 10 * FRAME), null)) {
      appendRecords(log, 1, 10);
      assertThat(log.segmentCount()).isEqualTo(1);
      appendRecords(log, 11, 11);
      assertThat(log.segmentCount()).isEqualTo(2);
      appendRecords(log, 12, 25);
      assertThat(log.segmentCount()).isEqualTo(3);
      assertThat(Files.size(segment(dir, 1))).isEqualTo(10L * FRAME);
      assertThat(Files.size(segment(dir, 11))).isEqualTo(10L * FRAME);
    }
    // Closing cuts the active segment's zero-filled space off.
    assertThat(Files.size(segment(dir, 21))).isEqualTo(5L * FRAME);
  }

  @Test
  void oneCommitIsNeverSplitAcrossSegments() throws IOException {
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 10 * FRAME), null)) {
      appendRecords(log, 1, 5);
      for (long n = 6; n <= 20; n++) {
        log.append(0, 1, 0, LogOp.PUT, key(n), value(n));
      }
      log.commitNow();

      assertThat(log.segmentCount()).isEqualTo(2);
    }
    assertThat(Files.size(segment(dir, 1))).isEqualTo(5L * FRAME);
    assertThat(Files.size(segment(dir, 6))).isEqualTo(15L * FRAME);
  }

  @Test
  void deleteSegmentsThroughDeletesOnlyFullyCoveredSealedSegments() throws IOException {
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 10 * FRAME), null)) {
      appendRecords(log, 1, 25); // segments 1-10, 11-20, active 21-25

      assertThat(log.deleteSegmentsThrough(9)).isZero();
      assertThat(log.deleteSegmentsThrough(19)).isEqualTo(1);
      assertThat(log.deleteSegmentsThrough(20)).isEqualTo(1);
      assertThat(log.deleteSegmentsThrough(Long.MAX_VALUE)).isZero();

      assertThat(log.segmentCount()).isEqualTo(1);
      assertThat(Files.exists(segment(dir, 1))).isFalse();
      assertThat(Files.exists(segment(dir, 11))).isFalse();
      assertThat(positions(replayAll(log, 0))).containsExactlyElementsOf(range(21, 25));
    }
  }

  @Test
  void numberingContinuesAfterReopenEvenWhenOnlyAnEmptyActiveSegmentRemains() throws IOException {
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 10 * FRAME), null)) {
      appendRecords(log, 1, 20);
    }
    // What a crash leaves after a roll created the next segment but wrote nothing into it.
    Files.createFile(segment(dir, 21));
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 10 * FRAME), null)) {
      assertThat(log.deleteSegmentsThrough(20)).isEqualTo(2);
    }
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 10 * FRAME), null)) {
      assertThat(log.lastPosition()).isEqualTo(20);
      assertThat(log.append(0, 1, 0, LogOp.PUT, key(21), value(21))).isEqualTo(21);
    }
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 10 * FRAME), null)) {
      assertThat(positions(replayAll(log, 0))).containsExactly(21L);
    }
  }

  @Test
  void bigRecordsOutgrowTheAppendBuffer() throws IOException {
    byte[] big = new byte[3 << 20];
    big[big.length - 1] = 42;
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 30), null)) {
      log.append(0, 1, 0, LogOp.PUT, key(1), value(1));
      log.append(0, 1, 0, LogOp.PUT, key(2), big);
      log.append(0, 1, 0, LogOp.PUT, key(3), value(3));
      log.commitNow();
    }
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 30), null)) {
      List<LogRecord> records = replayAll(log, 0);
      assertThat(positions(records)).containsExactly(1L, 2L, 3L);
      assertThat(records.get(1).value()).isEqualTo(big);
    }
  }

  @Test
  void putWithoutValueAndDeleteWithValueAreRejected() throws IOException {
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 20), null)) {
      assertThatThrownBy(() -> log.append(0, 1, 0, LogOp.PUT, key(1), null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> log.append(0, 1, 0, LogOp.DELETE, key(1), value(1)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(log.lastPosition()).isZero();
    }
  }

  @Test
  void closeIsIdempotentAndLaterAppendsFail() throws IOException {
    OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 20), null);
    log.close();
    log.close();
    assertThatThrownBy(() -> log.append(0, 1, 0, LogOp.PUT, key(1), value(1)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(log::commitNow).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void secondOpenOfAnOpenDirectoryFailsUntilTheFirstCloses() throws IOException {
    OpLog first = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 20), null);
    assertThatThrownBy(() -> OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 20), null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("already open");
    first.close();
    OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 20), null).close();
  }

  static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }
}
