package io.samzakv.oplog;

import static io.samzakv.oplog.LogFiles.FRAME;
import static io.samzakv.oplog.LogFiles.appendRecords;
import static io.samzakv.oplog.LogFiles.key;
import static io.samzakv.oplog.LogFiles.options;
import static io.samzakv.oplog.LogFiles.positions;
import static io.samzakv.oplog.LogFiles.replayAll;
import static io.samzakv.oplog.LogFiles.segment;
import static io.samzakv.oplog.LogFiles.value;
import static io.samzakv.oplog.OpLogTest.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samzakv.disk.NoSpaceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the disk has no room for a commit, the op log drops the uncommitted records, hands their
 * positions out again and stays usable; nothing of them ever reaches a file or a replay.
 */
class OpLogNoSpaceTest {

  @TempDir Path dir;

  /** The disk as the log sees it: full while {@code full} is set. */
  private final AtomicBoolean full = new AtomicBoolean();

  private final SpaceAllocator disk =
      (file, offset, length) -> {
        if (full.get()) {
          throw new NoSpaceException("test disk is full", new IOException("ENOSPC"));
        }
      };

  private OpLog open(long segmentBytes) throws IOException {
    return OpLog.open(dir, options(FsyncPolicy.ALWAYS, segmentBytes), null, 0, disk);
  }

  @Test
  void aCommitWithoutRoomDropsItsRecordsAndTheLogGoesOn() throws IOException {
    try (OpLog log = open(1 << 30)) {
      appendRecords(log, 1, 3);
      full.set(true);
      // Past the megabyte the segment has zero-filled so far: the commit must reserve more.
      log.append(0, 1, 0, LogOp.PUT, key(4), new byte[2 << 20]);
      log.append(0, 1, 0, LogOp.PUT, key(5), value(5));

      assertThatThrownBy(log::commitNow).isInstanceOf(NoSpaceException.class);
      assertThat(log.lastPosition()).as("positions rewound").isEqualTo(3);
      assertThat(positions(replayAll(log, 0))).containsExactlyElementsOf(range(1, 3));

      full.set(false);
      assertThat(log.append(0, 1, 0, LogOp.PUT, key(4), value(4))).isEqualTo(4);
      assertThat(log.commitNow()).isEqualTo(4);
    }
    try (OpLog log = open(1 << 30)) {
      List<LogRecord> records = replayAll(log, 0);
      assertThat(positions(records)).containsExactlyElementsOf(range(1, 4));
      assertThat(records.get(3).value()).isEqualTo(value(4));
    }
  }

  @Test
  void aRollWithoutRoomForTheNewSegmentLeavesTheOldOneActive() throws IOException {
    try (OpLog log = open(10 * FRAME)) {
      appendRecords(log, 1, 10);
      full.set(true);
      log.append(0, 1, 0, LogOp.PUT, key(11), value(11));

      assertThatThrownBy(log::commitNow).isInstanceOf(NoSpaceException.class);
      assertThat(log.segmentCount()).isEqualTo(1);
      assertThat(Files.exists(segment(dir, 11))).as("no half-made segment").isFalse();

      full.set(false);
      appendRecords(log, 11, 12);
      assertThat(log.segmentCount()).isEqualTo(2);
    }
    try (OpLog log = open(10 * FRAME)) {
      assertThat(positions(replayAll(log, 0))).containsExactlyElementsOf(range(1, 12));
    }
  }

  @Test
  void discardUncommittedHandsThePositionsOutAgain() throws IOException {
    try (OpLog log = open(1 << 20)) {
      appendRecords(log, 1, 2);
      log.append(0, 1, 0, LogOp.PUT, key(3), value(3));
      log.append(0, 1, 0, LogOp.PUT, key(4), value(4));

      log.discardUncommitted();

      assertThat(log.append(0, 1, 0, LogOp.PUT, key(3), value(33))).isEqualTo(3);
      log.commitNow();
      List<LogRecord> records = replayAll(log, 0);
      assertThat(positions(records)).containsExactly(1L, 2L, 3L);
      assertThat(records.get(2).value()).isEqualTo(value(33));
    }
  }
}
