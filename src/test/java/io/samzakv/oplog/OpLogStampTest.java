package io.samzakv.oplog;

import static io.samzakv.oplog.LogFiles.key;
import static io.samzakv.oplog.LogFiles.options;
import static io.samzakv.oplog.LogFiles.replayAll;
import static io.samzakv.oplog.LogFiles.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each record keeps its place in its partition's history (leader epoch, sequence) in the log. */
class OpLogStampTest {

  @TempDir Path dir;

  @Test
  void epochAndSequenceRoundTripThroughAppendReplayAndReopen() throws IOException {
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 20), null)) {
      log.append(2, 1, 1, LogOp.PUT, key(1), value(1));
      log.append(2, 1, 2, LogOp.DELETE, key(1), null);
      log.append(5, 7, 1, LogOp.PUT, key(2), value(2));
      log.append(2, 9, 3, LogOp.PUT, key(3), new byte[0]);
      log.append(0, Long.MAX_VALUE, Long.MAX_VALUE, LogOp.PUT, key(4), value(4));
      assertStamps(replayAll(log, 0));
      log.commitNow();
      assertStamps(replayAll(log, 0));
    }
    try (OpLog log = OpLog.open(dir, options(FsyncPolicy.ALWAYS, 1 << 20), null)) {
      assertStamps(replayAll(log, 0));
      assertThat(replayAll(log, 3))
          .extracting(LogRecord::position, LogRecord::epoch, LogRecord::sequence)
          .containsExactly(tuple(4L, 9L, 3L), tuple(5L, Long.MAX_VALUE, Long.MAX_VALUE));
    }
  }

  private static void assertStamps(List<LogRecord> records) {
    assertThat(records)
        .extracting(LogRecord::partition, LogRecord::epoch, LogRecord::sequence, LogRecord::op)
        .containsExactly(
            tuple(2, 1L, 1L, LogOp.PUT),
            tuple(2, 1L, 2L, LogOp.DELETE),
            tuple(5, 7L, 1L, LogOp.PUT),
            tuple(2, 9L, 3L, LogOp.PUT),
            tuple(0, Long.MAX_VALUE, Long.MAX_VALUE, LogOp.PUT));
  }
}
