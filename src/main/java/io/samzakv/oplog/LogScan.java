package io.samzakv.oplog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A read-only pass over every segment of a log directory: each frame's length, checksum and fields
 * are checked and positions must run on without gaps, across segment boundaries too. It changes
 * nothing; {@link LogRecovery} (at open) and {@link LogRepair} (offline) decide what to do with
 * what it finds.
 *
 * <p>Past a bad frame it resynchronises: it looks for the next good frame whose position can follow
 * the last good one (see {@link SegmentReader#resync}), so that the positions the damage held are
 * known and whatever follows it can be read. Zeros after the last record of the last segment are
 * the space it had zero-filled ahead (see {@link Segment}) and end it cleanly; a torn tail there,
 * the trace of a crash mid-write, is reported apart from damage.
 *
 * <p>Thread contract: stateless; call before anything else uses the directory.
 */
final class LogScan {

  /** The last position of damage nothing after it bounds (bad bytes up to the end of the log). */
  static final long UNKNOWN = Long.MAX_VALUE;

  /**
   * Records the log should hold but cannot give back: {@code bytes} unreadable bytes at {@code
   * offset} of {@code file} (0 for a segment missing before {@code file}), which held positions
   * {@code firstPosition..lastPosition} ({@link #UNKNOWN} when nothing readable follows them).
   */
  record Damage(
      Path file, long offset, long bytes, long firstPosition, long lastPosition, String reason) {

    /** Whether every record the damage held is already applied through {@code applied}. */
    boolean behind(long applied) {
      return lastPosition <= applied;
    }

    /** How many records it held, as far as anyone can tell. */
    long records() {
      return lastPosition == UNKNOWN ? 0 : Math.max(0, lastPosition - firstPosition + 1);
    }

    String positions() {
      if (lastPosition == UNKNOWN) {
        return "positions from " + firstPosition + " on";
      }
      return lastPosition < firstPosition
          ? "no record"
          : lastPosition == firstPosition
              ? "position " + firstPosition
              : "positions " + firstPosition + ".." + lastPosition;
    }
  }

  /**
   * One segment: its readable records run from firstPosition to lastPosition (firstPosition - 1
   * when none) within its first validBytes bytes; tornBytes of torn tail follow them (last segment
   * only); damage lists what could not be read, in file order.
   */
  record SegmentScan(
      Path file,
      long firstPosition,
      long lastPosition,
      long validBytes,
      long tornBytes,
      List<Damage> damage) {

    SealedSegment extent() {
      return new SealedSegment(file, firstPosition, lastPosition, validBytes);
    }
  }

  private final List<SegmentScan> segments;
  private final List<Damage> damage;

  private LogScan(List<SegmentScan> segments, List<Damage> damage) {
    this.segments = segments;
    this.damage = damage;
  }

  /** Every segment, oldest first. */
  List<SegmentScan> segments() {
    return segments;
  }

  /** Every damage found, in log order. */
  List<Damage> damage() {
    return damage;
  }

  /** The first damage that held a record the store has not applied, or null. */
  Damage firstLoss(long applied) {
    return damage.stream().filter(d -> !d.behind(applied)).findFirst().orElse(null);
  }

  /** The index of the segment a damage lies in (the one after the gap, for a missing segment). */
  int segmentOf(Damage d) {
    for (int i = 0; i < segments.size(); i++) {
      if (segments.get(i).file().equals(d.file())) {
        return i;
      }
    }
    throw new IllegalArgumentException(d.file() + " is not a segment of this log");
  }

  static LogScan read(Path dir) throws IOException {
    List<Path> files = Segment.list(dir);
    List<SegmentScan> segments = new ArrayList<>(files.size());
    List<Damage> all = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      long first = Segment.firstPosition(file);
      if (i > 0) {
        SegmentScan previous = segments.get(i - 1);
        List<Damage> previousDamage = previous.damage();
        Damage open =
            previousDamage.isEmpty() ? null : previousDamage.get(previousDamage.size() - 1);
        if (open != null && open.lastPosition() == UNKNOWN && first > previous.lastPosition()) {
          // Bad bytes up to the end of a segment held what lies before the next one's name.
          Damage bounded =
              new Damage(
                  open.file(),
                  open.offset(),
                  open.bytes(),
                  open.firstPosition(),
                  first - 1,
                  open.reason());
          previousDamage.set(previousDamage.size() - 1, bounded);
          all.set(all.size() - 1, bounded);
        } else if (first != previous.lastPosition() + 1) {
          Damage gap =
              new Damage(
                  file,
                  0,
                  0,
                  previous.lastPosition() + 1,
                  first > previous.lastPosition() ? first - 1 : UNKNOWN,
                  "segment starts at position "
                      + first
                      + " but the previous one ends at "
                      + previous.lastPosition());
          all.add(gap);
        }
      }
      SegmentScan scan = scan(file, first, i == files.size() - 1);
      segments.add(scan);
      all.addAll(scan.damage());
    }
    return new LogScan(List.copyOf(segments), List.copyOf(all));
  }

  private static SegmentScan scan(Path file, long first, boolean last) throws IOException {
    long size = Files.size(file);
    List<Damage> damage = new ArrayList<>();
    try (SegmentReader reader = new SegmentReader(file, size)) {
      long previous = first - 1;
      while (true) {
        long at = reader.offset();
        SegmentReader.Status status = reader.next();
        if (status == SegmentReader.Status.END) {
          return new SegmentScan(file, first, previous, size, 0, damage);
        }
        String problem = status.problem();
        if (status == SegmentReader.Status.RECORD) {
          long position = reader.position();
          if (position == previous + 1) {
            previous = position;
            continue;
          }
          problem = "position " + position + " where " + (previous + 1) + " was expected";
        } else if (last && reader.onlyZerosFrom(at)) {
          // Space the active segment had zero-filled ahead of its records: a clean end.
          return new SegmentScan(file, first, previous, at, 0, damage);
        } else if (last && reader.isTornTail(at, status)) {
          return new SegmentScan(file, first, previous, at, size - at, damage);
        }
        SegmentReader.Resync found = reader.resync(at, previous);
        if (found == null) {
          damage.add(new Damage(file, at, size - at, previous + 1, UNKNOWN, problem));
          return new SegmentScan(file, first, previous, at, 0, damage);
        }
        damage.add(
            new Damage(file, at, found.offset() - at, previous + 1, found.position() - 1, problem));
        previous = found.position() - 1;
        reader.seek(found.offset());
      }
    }
  }
}
