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
          .isEqualTo(new RecoveryReport(true, file, offset, bytesTruncated, last));
      assertThat(Files.size(file)).isEqualTo(offset);
      assertThat(log.lastPosition()).isEqualTo(last);
      assertThat(positions(replayAll(log, 0))).containsExactlyElementsOf(range(1, last));

      assertThat(log.append(0, LogOp.PUT, key(last + 1), value(last + 1))).isEqualTo(last + 1);
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
