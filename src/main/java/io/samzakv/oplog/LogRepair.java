package io.samzakv.oplog;

import io.samzakv.oplog.LogScan.Damage;
import io.samzakv.oplog.LogScan.SegmentScan;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The offline repair of a log that {@link OpLog#open(java.nio.file.Path, OpLogOptions,
 * io.micrometer.core.instrument.MeterRegistry, long)} refused to open: it cuts the log at the first
 * damage that held a record the store lacks and reports exactly what is lost by that, every
 * readable record after the cut past the store's position and every unreadable run of bytes. The
 * cut-off part is kept beside the log as {@code *.damaged} (the cut segment is copied there whole
 * first), so nothing is destroyed; the next open then finds an intact log, numbering on from the
 * store's position.
 *
 * <p>Thread contract: single use, on one thread, while nothing else has the directory open (the
 * caller holds the data directory's lock; this takes the log's own too).
 */
public final class LogRepair {

  /**
   * What the cut gives up: records past the store, bytes no one can read, and positions past the
   * store that no segment holds (a segment file gone).
   */
  public record Lost(List<LogRecord> records, List<Unreadable> unreadable, List<Missing> missing) {
    public Lost {
      records = List.copyOf(records);
      unreadable = List.copyOf(unreadable);
      missing = List.copyOf(missing);
    }
  }

  /** Positions {@code firstPosition..lastPosition} that should precede {@code file} but do not. */
  public record Missing(Path file, long firstPosition, long lastPosition) {}

  /**
   * {@code bytes} bytes at {@code offset} of {@code file} that no record could be read from; held
   * says which positions they held, as far as anyone can tell ("position 75").
   */
  public record Unreadable(Path file, long offset, long bytes, String held) {}

  /**
   * Where the log was cut (file and byte offset; null file when there was nothing to cut), and what
   * that lost.
   */
  public record Result(Path file, long offset, Lost lost) {}

  private LogRepair() {}

  /**
   * Cuts the log in {@code dir} at the first damage holding a record past {@code applied}; does
   * nothing when there is none (damage behind the store is left for {@link OpLog#open}).
   */
  public static Result cut(Path dir, long applied) throws IOException {
    try (DirectoryLock lock = DirectoryLock.acquire(dir)) {
      LogScan scan = LogScan.read(dir);
      Damage loss = scan.firstLoss(applied);
      if (loss == null) {
        return new Result(null, 0, new Lost(List.of(), List.of(), List.of()));
      }
      int from = scan.segmentOf(loss);
      List<SegmentScan> segments = scan.segments();
      Lost lost = lostAfter(scan, loss, applied);
      // Newest first, so a crash part-way leaves a log that still ends at the damage.
      for (int i = segments.size() - 1; i > from; i--) {
        moveAside(segments.get(i).file());
      }
      Path file = segments.get(from).file();
      if (loss.offset() == 0) {
        moveAside(file);
      } else {
        Files.copy(file, aside(file), StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
          channel.truncate(loss.offset());
          channel.force(true);
        }
      }
      Segment.fsyncDirectory(dir);
      return new Result(file, loss.offset(), lost);
    }
  }

  /** Every record past {@code applied} and every unreadable run from the cut to the log's end. */
  private static Lost lostAfter(LogScan scan, Damage cut, long applied) throws IOException {
    List<LogRecord> records = new ArrayList<>();
    List<Unreadable> unreadable = new ArrayList<>();
    List<SegmentScan> segments = scan.segments();
    for (int i = scan.segmentOf(cut); i < segments.size(); i++) {
      SegmentScan segment = segments.get(i);
      long start = segment.file().equals(cut.file()) ? cut.offset() : 0;
      List<Damage> damage = segment.damage();
      try (SegmentReader reader = new SegmentReader(segment.file(), Files.size(segment.file()))) {
        reader.seek(start);
        long end = segment.validBytes();
        while (reader.offset() < end) {
          long at = reader.offset();
          Damage here = damage.stream().filter(d -> d.offset() == at).findFirst().orElse(null);
          if (here != null) {
            unreadable.add(new Unreadable(segment.file(), at, here.bytes(), here.positions()));
            reader.seek(at + here.bytes());
          } else if (reader.next() == SegmentReader.Status.RECORD) {
            if (reader.position() > applied) {
              records.add(reader.record());
            }
          } else {
            // Only the scan's damage can start a bad frame before validBytes.
            throw new IllegalStateException(segment.file() + " changed during repair at " + at);
          }
        }
        for (Damage trailing : damage) {
          if (trailing.offset() >= end) {
            unreadable.add(
                new Unreadable(segment.file(), end, trailing.bytes(), trailing.positions()));
          }
        }
        if (segment.tornBytes() > 0) {
          unreadable.add(
              new Unreadable(segment.file(), end, segment.tornBytes(), "a torn tail, never whole"));
        }
      }
    }
    List<Missing> missing = new ArrayList<>();
    int from = scan.segmentOf(cut);
    for (Damage gap : scan.damage()) {
      if (gap.bytes() == 0 && scan.segmentOf(gap) >= from && !gap.behind(applied)) {
        missing.add(
            new Missing(
                gap.file(), Math.max(gap.firstPosition(), applied + 1), gap.lastPosition()));
      }
    }
    return new Lost(records, unreadable, missing);
  }

  private static void moveAside(Path file) throws IOException {
    Files.move(file, aside(file), StandardCopyOption.ATOMIC_MOVE);
  }

  private static Path aside(Path file) {
    return file.resolveSibling(file.getFileName() + ".damaged");
  }
}
