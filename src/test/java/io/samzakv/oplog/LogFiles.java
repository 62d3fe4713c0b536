package io.samzakv.oplog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the op log tests: uniform records and byte surgery on segment files. */
final class LogFiles {

  /** Every record {@link #appendRecords} writes has this frame size, so offsets are computable. */
  static final int FRAME = RecordFrame.frameSize(key(0), value(0));

  private LogFiles() {}

  static OpLogOptions options(FsyncPolicy policy, long segmentBytes) {
    return new OpLogOptions(policy, segmentBytes, Duration.ofMillis(10));
  }

  static byte[] key(long n) {
    return String.format("key-%06d", n).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] value(long n) {
    return String.format("value-%014d", n).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Appends records n = from..to as PUTs of key(n) = value(n), committing each on its own (so each
   * may roll the segment, as single writes of the node do).
   */
  static void appendRecords(OpLog log, long from, long to) throws IOException {
    for (long n = from; n <= to; n++) {
      assertThat(log.append((int) (n % 4), 1, 0, LogOp.PUT, key(n), value(n))).isEqualTo(n);
      log.commitNow();
    }
  }

  static List<LogRecord> replayAll(OpLog log, long fromExclusive) throws IOException {
    List<LogRecord> records = new ArrayList<>();
    log.replay(fromExclusive, records::add);
    return records;
  }

  static List<Long> positions(List<LogRecord> records) {
    return records.stream().map(LogRecord::position).toList();
  }

  static Path segment(Path dir, long firstPosition) {
    return dir.resolve(String.format("%020d.log", firstPosition));
  }

  static void truncate(Path file, long length) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(length);
    }
  }

  static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0xff);
    }
  }

  static void appendZeros(Path file, int count) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(raf.length());
      raf.write(new byte[count]);
    }
  }
}
