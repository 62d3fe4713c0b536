package io.samzakv.oplog;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Validates every segment of a log directory when it is opened, in the manner of Kafka's {@code
 * LogSegment#recover}: each frame's length, checksum and fields are checked and positions must run
 * on without gaps, across segment boundaries too. Zeros after the last record of the last segment
 * are the space it had zero-filled ahead (see {@link Segment}) and end it cleanly. A torn tail of
 * the last segment, the trace of a crash mid-write, is truncated and fsynced (as etcd's WAL repair
 * does); any other bad record is reported as {@link CorruptLogException}, because truncating there
 * would drop records written after it.
 *
 * <p>Thread contract: stateless; call before anything else uses the directory.
 */
final class LogRecovery {

  /**
   * The recovered layout: every segment but the last, the last one (null when the directory had
   * none) and the report.
   */
  record Result(List<SealedSegment> sealed, SealedSegment last, RecoveryReport report) {}

  private LogRecovery() {}

  static Result recover(Path dir) throws IOException {
    List<Path> files = Segment.list(dir);
    List<SealedSegment> segments = new ArrayList<>(files.size());
    RecoveryReport report = RecoveryReport.clean(0);
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      long first = Segment.firstPosition(file);
      if (i > 0 && first != segments.get(i - 1).lastPosition() + 1) {
        throw new CorruptLogException(
            file,
            0,
            "segment starts at position "
                + first
                + " but the previous one ends at "
                + segments.get(i - 1).lastPosition());
      }
      boolean last = i == files.size() - 1;
      Scan scan = scan(file, first, last);
      segments.add(new SealedSegment(file, first, scan.lastPosition(), scan.validBytes()));
      if (scan.tornBytes() > 0) {
        truncate(file, scan.validBytes());
        report =
            new RecoveryReport(
                true, file, scan.validBytes(), scan.tornBytes(), scan.lastPosition());
      } else {
        report = RecoveryReport.clean(scan.lastPosition());
      }
    }
    if (segments.isEmpty()) {
      return new Result(List.of(), null, report);
    }
    SealedSegment lastSegment = segments.remove(segments.size() - 1);
    return new Result(List.copyOf(segments), lastSegment, report);
  }

  /** A segment's good prefix, and how many bytes of torn tail follow it. */
  private record Scan(long lastPosition, long validBytes, long tornBytes) {}

  private static Scan scan(Path file, long first, boolean last) throws IOException {
    long size = Files.size(file);
    try (SegmentReader reader = new SegmentReader(file, size)) {
      long previous = first - 1;
      while (true) {
        long at = reader.offset();
        SegmentReader.Status status = reader.next();
        if (status == SegmentReader.Status.END) {
          return new Scan(previous, size, 0);
        }
        if (status == SegmentReader.Status.RECORD) {
          long position = reader.position();
          if (position != previous + 1) {
            throw new CorruptLogException(
                file, at, "position " + position + " where " + (previous + 1) + " was expected");
          }
          previous = position;
        } else if (last && reader.onlyZerosFrom(at)) {
          // Space the active segment had zero-filled ahead of its records: a clean end.
          return new Scan(previous, at, 0);
        } else if (last && reader.isTornTail(at, status)) {
          return new Scan(previous, at, size - at);
        } else {
          throw new CorruptLogException(file, at, status.problem());
        }
      }
    }
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(size);
      // The new length is metadata: force(true), or a crash could bring the torn bytes back.
      channel.force(true);
    }
  }
}
