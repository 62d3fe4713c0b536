package io.samzakv.oplog;

import static io.samzakv.oplog.LogFiles.FRAME;
import static io.samzakv.oplog.LogFiles.appendRecords;
import static io.samzakv.oplog.LogFiles.appendZeros;
import static io.samzakv.oplog.LogFiles.flipByte;
import static io.samzakv.oplog.LogFiles.key;
import static io.samzakv.oplog.LogFiles.options;
import static io.samzakv.oplog.LogFiles.positions;
import static io.samzakv.oplog.LogFiles.replayAll;
import static io.samzakv.oplog.LogFiles.segment;
import static io.samzakv.oplog.LogFiles.truncate;
import static io.samzakv.oplog.LogFiles.value;
import static io.samzakv.oplog.OpLogTest.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {

  private static final long SEGMENT_BYTES = 10L * FRAME;

  @TempDir Path dir;

  @Test
  void recordCutMidWayIsTruncatedAndNumberingResumesAfterIt() throws IOException {
    writeRecords(15); // segment 1 holds 1-10, segment 11 holds 11-15
    Path last = segment(dir, 11);
    truncate(last, 4L * FRAME + FRAME / 2);

    assertRecoveredTornTail(last, 4L * FRAME, FRAME / 2, 14);
  }

  @Test
  void cutRightAfterTheLengthWordIsTruncated() throws IOException {
    writeRecords(15);
    Path last = segment(dir, 11);
    // A cut inside the big-endian length word leaves only its leading zeros, which read as the
    // zero-filled space after the last record: a clean end, so the test cuts just after it.
    truncate(last, 4L * FRAME + 4);

    assertRecoveredTornTail(last, 4L * FRAME, 4, 14);
  }

  @Test
  void lastRecordWithFlippedBytesIsTruncated() throws IOException {
    writeRecords(15);
    Path last = segment(dir, 11);
    flipByte(last, 4L * FRAME + 20);
    flipByte(last, 5L * FRAME - 1);

    assertRecoveredTornTail(last, 4L * FRAME, FRAME, 14);
  }

  @Test
  void zerosAfterTheLastRecordEndTheLogCleanlyAndAreWrittenOver() throws IOException {
    writeRecords(15);
    Path last = segment(dir, 11);
    appendZeros(last, 4096);

    try (OpLog log = open()) {
      assertThat(log.recoveryReport()).isEqualTo(RecoveryReport.clean(15));
      appendRecords(log, 16, 17);
    }
    try (OpLog log = open()) {
      assertThat(log.recoveryReport()).isEqualTo(RecoveryReport.clean(17));
      assertThat(positions(replayAll(log, 0))).containsExactlyElementsOf(range(1, 17));
    }
  }

  @Test
  void whatAKilledProcessLeavesOnDiskRecoversEveryCommittedRecord() throws IOException {
    Path snapshot = dir.resolve("after-kill");
    try (OpLog log = OpLog.open(dir.resolve("live"), options(FsyncPolicy.ALWAYS, 1 << 20), null)) {
      appendRecords(log, 1, 7);
      log.commitNow();
      // The files as they are now, zero-filled space ahead of the records included, are what a
      // kill -9 leaves behind.
      Files.createDirectories(snapshot);
      Path active = segment(dir.resolve("live"), 1);
      assertThat(Files.size(active)).isGreaterThan(7L * FRAME);
      Files.copy(active, segment(snapshot, 1));
    }

    try (OpLog log = OpLog.open(snapshot, options(FsyncPolicy.ALWAYS, 1 << 20), null)) {
      assertThat(log.recoveryReport()).isEqualTo(RecoveryReport.clean(7));
      assertThat(positions(replayAll(log, 0))).containsExactlyElementsOf(range(1, 7));
    }
  }

  @Test
  void cutRecordFollowedByZerosIsTruncated() throws IOException {
    writeRecords(15);
    Path last = segment(dir, 11);
    truncate(last, 4L * FRAME + 30);
    appendZeros(last, 1000);

    assertRecoveredTornTail(last, 4L * FRAME, 1030, 14);
  }

  @Test
  void flippedByteInAnEarlyRecordOfTheLastSegmentIsCorruption() throws IOException {
    writeRecords(15);
    Path last = segment(dir, 11);
    flipByte(last, 2L * FRAME + 25);

    assertCorrupt(last, 2L * FRAME);
  }

  @Test
  void corruptLengthWordIsNotMistakenForATornTail() throws IOException {
    writeRecords(15);
    Path last = segment(dir, 11);
    flipByte(last, 2L * FRAME); // the length now claims far more than the file holds

    assertCorrupt(last, 2L * FRAME);
  }

  @Test
  void badRecordAtTheEndOfANonLastSegmentIsCorruption() throws IOException {
    writeRecords(15);
    Path first = segment(dir, 1);
    flipByte(first, 9L * FRAME + 30);

    assertCorrupt(first, 9L * FRAME);
  }

  @Test
  void missingMiddleSegmentIsCorruption() throws IOException {
    writeRecords(25);
    Files.delete(segment(dir, 11));

    assertCorrupt(segment(dir, 21), 0);
  }

  @Test
  void damageBehindTheStoreInTheLastSegmentIsSkippedAndMovedAside() throws IOException {
    writeRecords(15); // a clean stop: the store has applied all 15
    Path last = segment(dir, 11);
    for (int i = 0; i < 4; i++) {
      flipByte(last, 2L * FRAME + 20 + i); // inside record 13
    }

    try (OpLog log = open(15)) {
      RecoveryReport report = log.recoveryReport();
      assertThat(report.skippedRecords()).isEqualTo(1);
      assertThat(report.skippedBytes()).isEqualTo(FRAME);
      assertThat(report.quarantined())
          .containsExactly(damaged(segment(dir, 1)), damaged(segment(dir, 11)));
      assertThat(log.lastPosition()).isEqualTo(15);
      assertThat(log.append(0, 1, 0, LogOp.PUT, key(16), value(16))).isEqualTo(16);
      log.commitNow();
    }
    try (OpLog log = open(15)) {
      assertThat(log.recoveryReport()).isEqualTo(RecoveryReport.clean(16));
      assertThat(positions(replayAll(log, 15))).containsExactly(16L);
    }
  }

  @Test
  void damageBehindTheStoreFollowedByRecordsPastItIsSteppedOverByReplay() throws IOException {
    writeRecords(15); // a crash: the store has applied only up to 13
    Path last = segment(dir, 11);
    flipByte(last, FRAME + 25); // record 12

    try (OpLog log = open(13)) {
      assertThat(log.recoveryReport().skippedRecords()).isEqualTo(1);
      assertThat(log.recoveryReport().quarantined()).containsExactly(damaged(segment(dir, 1)));
      assertThat(positions(replayAll(log, 13))).containsExactly(14L, 15L);
      assertThat(log.append(0, 1, 0, LogOp.PUT, key(16), value(16))).isEqualTo(16);
      log.commitNow();
    }
    assertThat(segment(dir, 16)).as("appends go to a fresh segment, after the damage").exists();
    try (OpLog log = open(13)) {
      assertThat(positions(replayAll(log, 13))).containsExactly(14L, 15L, 16L);
      assertThatThrownBy(() -> replayAll(log, 10))
          .as("nothing reads back past the damage")
          .isInstanceOf(CorruptLogException.class);
    }
  }

  @Test
  void damageHoldingARecordPastTheStoreRefusesToOpen() throws IOException {
    writeRecords(15);
    Path last = segment(dir, 11);
    flipByte(last, 2L * FRAME + 25); // record 13

    assertThatThrownBy(() -> open(12))
        .isInstanceOfSatisfying(
            CorruptLogException.class,
            e -> {
              assertThat(e.file()).isEqualTo(last);
              assertThat(e.offset()).isEqualTo(2L * FRAME);
            })
        .hasMessageContaining("position 13")
        .hasMessageContaining("past the store's position 12");
    assertThat(last).as("a refused log is left as it was").exists();
  }

  @Test
  void missingSegmentBehindTheStoreIsSkipped() throws IOException {
    writeRecords(25);
    Files.delete(segment(dir, 11));

    try (OpLog log = open(25)) {
      assertThat(log.recoveryReport().skippedRecords()).isEqualTo(10);
      assertThat(log.recoveryReport().quarantined()).as("no damaged bytes to keep").isEmpty();
      assertThat(log.append(0, 1, 0, LogOp.PUT, key(26), value(26))).isEqualTo(26);
    }
  }

  @Test
  void storeAheadOfACutTailNumbersOnFromTheStore() throws IOException {
    // Seen with a lagging fsync: the log ends at 14 after its torn tail is cut, the store is at 16.
    writeRecords(15);
    truncate(segment(dir, 11), 4L * FRAME + FRAME / 2);

    try (OpLog log = open(16)) {
      assertThat(log.recoveryReport().tornTail()).isTrue();
      assertThat(log.lastPosition()).isEqualTo(16);
      assertThat(log.append(0, 1, 0, LogOp.PUT, key(17), value(17))).isEqualTo(17);
      assertThat(log.append(0, 1, 0, LogOp.PUT, key(18), value(18))).isEqualTo(18);
      log.commitNow();
    }
    try (OpLog log = open(16)) {
      assertThat(log.recoveryReport().skippedRecords())
          .as("positions 15-16 live in the store")
          .isEqualTo(2);
      assertThat(log.lastPosition()).isEqualTo(18);
      assertThat(positions(replayAll(log, 16))).containsExactly(17L, 18L);
    }
  }

  @Test
  void repairCutsAtTheDamageListsWhatIsLostAndTheLogOpensAfterIt() throws IOException {
    writeRecords(15);
    Path last = segment(dir, 11);
    flipByte(last, 2L * FRAME + 25); // record 13

    LogRepair.Result result = LogRepair.cut(dir, 12);

    assertThat(result.file()).isEqualTo(last);
    assertThat(result.offset()).isEqualTo(2L * FRAME);
    assertThat(positions(result.lost().records())).containsExactly(14L, 15L);
    assertThat(result.lost().unreadable())
        .containsExactly(new LogRepair.Unreadable(last, 2L * FRAME, FRAME, "position 13"));
    assertThat(Files.size(last)).isEqualTo(2L * FRAME);
    assertThat(damaged(last)).as("the cut-off part is kept").hasSize(5L * FRAME);
    try (OpLog log = open(12)) {
      assertThat(log.lastPosition()).isEqualTo(12);
      assertThat(positions(replayAll(log, 0))).containsExactlyElementsOf(range(1, 12));
      assertThat(log.append(0, 1, 0, LogOp.PUT, key(13), value(13))).isEqualTo(13);
    }
  }

  @Test
  void repairOfAMissingSegmentPastTheStoreListsItsPositionsAndWhatFollows() throws IOException {
    writeRecords(25);
    Files.delete(segment(dir, 11));
    assertThatThrownBy(() -> open(5)).isInstanceOf(CorruptLogException.class);

    LogRepair.Result result = LogRepair.cut(dir, 5);

    assertThat(result.file()).isEqualTo(segment(dir, 21));
    assertThat(result.lost().missing())
        .containsExactly(new LogRepair.Missing(segment(dir, 21), 11, 20));
    assertThat(positions(result.lost().records())).containsExactlyElementsOf(range(21, 25));
    assertThat(result.lost().unreadable()).isEmpty();
    try (OpLog log = open(5)) {
      assertThat(positions(replayAll(log, 5))).containsExactlyElementsOf(range(6, 10));
      assertThat(log.append(0, 1, 0, LogOp.PUT, key(11), value(11))).isEqualTo(11);
    }
  }

  @Test
  void repairOfAnIntactLogCutsNothing() throws IOException {
    writeRecords(15);

    LogRepair.Result result = LogRepair.cut(dir, 10);

    assertThat(result.file()).isNull();
    assertThat(result.lost().records()).isEmpty();
    try (OpLog log = open(10)) {
      assertThat(log.lastPosition()).isEqualTo(15);
    }
  }

  private static Path damaged(Path segment) {
    return segment.resolveSibling(segment.getFileName() + ".damaged");
  }

  private OpLog open(long applied) throws IOException {
    return OpLog.open(dir, options(FsyncPolicy.ALWAYS, SEGMENT_BYTES), null, applied);
  }

  /** The op log in {@code dir}, opened (and so recovered) as every test here opens it. */
  private OpLog open() throws IOException {
    return OpLog.open(dir, options(FsyncPolicy.ALWAYS, SEGMENT_BYTES), null);
  }

  private void writeRecords(long count) throws IOException {
    try (OpLog log = open()) {
      appendRecords(log, 1, count);
    }
  }

  private void assertRecoveredTornTail(Path file, long offset, long bytesTruncated, long last)
      throws IOException {
    try (OpLog log = open()) {
      assertThat(log.recoveryReport())
          .isEqualTo(new RecoveryReport(true, file, offset, bytesTruncated, last, 0, 0, List.of()));
      assertThat(Files.size(file)).isEqualTo(offset);
      assertThat(log.lastPosition()).isEqualTo(last);
      assertThat(positions(replayAll(log, 0))).containsExactlyElementsOf(range(1, last));

      assertThat(log.append(0, 1, 0, LogOp.PUT, key(last + 1), value(last + 1)))
          .isEqualTo(last + 1);
      log.commitNow();
    }
    try (OpLog log = open()) {
      assertThat(log.recoveryReport().tornTail()).isFalse();
      assertThat(positions(replayAll(log, 0))).containsExactlyElementsOf(range(1, last + 1));
    }
  }

  private void assertCorrupt(Path file, long offset) {
    assertThatThrownBy(this::open)
        .isInstanceOfSatisfying(
            CorruptLogException.class,
            e -> {
              assertThat(e.file()).isEqualTo(file);
              assertThat(e.offset()).isEqualTo(offset);
            })
        .hasMessageContaining(file.getFileName().toString())
        .hasMessageContaining("offset " + offset);
  }
}
