package io.samzakv.oplog;

import io.samzakv.oplog.LogScan.Damage;
import io.samzakv.oplog.LogScan.SegmentScan;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a log directory fit to append to when it is opened, knowing the position the store has
 * applied through: what {@link LogScan} found decides what happens.
 *
 * <ul>
 *   <li>A torn tail of the last segment, the trace of a crash mid-write, is truncated and fsynced
 *       (as etcd's WAL repair does).
 *   <li>Damage whose records the store has all applied loses nothing: it is logged at WARNING and
 *       counted in the report, and the damaged segment and everything older are renamed {@code
 *       *.damaged}, so the log visibly no longer reaches back past it. A damaged segment that still
 *       holds records past the store after the damage stays (replay steps over damage behind what
 *       it is asked for) and is sealed; the checkpointer deletes it once the store is past it.
 *   <li>Damage that held a record the store lacks, or whose extent nothing bounds, would lose
 *       acknowledged writes: {@link CorruptLogException} names file and offset, and {@link
 *       LogRepair} is the operator's way on.
 * </ul>
 *
 * Numbering goes on from the larger of the log's last position and the store's: a tail cut below
 * what the store applied (possible when fsync lags the apply) must not hand out a position twice.
 * When the last segment cannot take the next position in sequence, a fresh one is started.
 *
 * <p>Thread contract: stateless; call before anything else uses the directory.
 */
final class LogRecovery {

  private static final System.Logger LOG = System.getLogger(OpLog.class.getName());

  /**
   * The recovered layout: every segment to keep but the one to append to, that one (null when a
   * fresh segment must follow {@code report.lastPosition()}) and the report.
   */
  record Result(List<SealedSegment> sealed, SealedSegment last, RecoveryReport report) {}

  private LogRecovery() {}

  static Result recover(Path dir, long applied) throws IOException {
    LogScan scan = LogScan.read(dir);
    Damage loss = scan.firstLoss(applied);
    if (loss != null) {
      String held =
          loss.lastPosition() == LogScan.UNKNOWN
              ? "nothing readable follows it, so what it held (positions from "
                  + loss.firstPosition()
                  + " on) may reach past the store's position "
                  + applied
              : "it held "
                  + loss.positions()
                  + ", past the store's position "
                  + applied
                  + ", so starting would lose them";
      throw new CorruptLogException(loss.file(), loss.offset(), loss.reason() + "; " + held);
    }
    List<SegmentScan> segments = scan.segments();
    long end = segments.isEmpty() ? 0 : segments.get(segments.size() - 1).lastPosition();
    long next = Math.max(end, applied);

    SegmentScan torn = segments.isEmpty() ? null : segments.get(segments.size() - 1);
    if (torn != null && torn.tornBytes() > 0) {
      truncate(torn.file(), torn.validBytes());
      LOG.log(
          Level.WARNING,
          "Truncated a torn tail of {0,number,#} bytes from op log segment {1} at byte offset"
              + " {2,number,#}; the log now ends at position {3,number,#}",
          torn.tornBytes(),
          torn.file(),
          torn.validBytes(),
          torn.lastPosition());
    } else {
      torn = null;
    }

    List<SegmentScan> kept = new ArrayList<>(segments);
    List<Path> quarantined = skipDamage(dir, scan, applied, kept);
    boolean tailDamaged = !kept.isEmpty() && !kept.get(kept.size() - 1).damage().isEmpty();

    List<SealedSegment> sealed = new ArrayList<>();
    for (SegmentScan segment : kept) {
      sealed.add(segment.extent());
    }
    SealedSegment last = null;
    if (!kept.isEmpty()) {
      SegmentScan tail = kept.get(kept.size() - 1);
      if (tail.lastPosition() >= applied && !tailDamaged) {
        last = sealed.remove(sealed.size() - 1);
      } else {
        seal(tail);
        if (tail.lastPosition() < tail.firstPosition()) {
          sealed.remove(sealed.size() - 1);
        }
        if (end < applied) {
          LOG.log(
              Level.WARNING,
              "The op log ends at position {0,number,#}, behind the store at {1,number,#} (a tail"
                  + " cut after the store applied it); numbering goes on from {2,number,#}",
              end,
              applied,
              applied + 1);
        }
      }
    }
    RecoveryReport report =
        new RecoveryReport(
            torn != null,
            torn == null ? null : torn.file(),
            torn == null ? 0 : torn.validBytes(),
            torn == null ? 0 : torn.tornBytes(),
            next,
            scan.damage().stream().mapToLong(Damage::records).sum(),
            scan.damage().stream().mapToLong(Damage::bytes).sum(),
            List.copyOf(quarantined));
    return new Result(List.copyOf(sealed), last, report);
  }

  /**
   * Logs every damage (all of it behind the store by now) and moves aside the segments the log no
   * longer needs because of damaged bytes: all before the last damaged one, and that one too unless
   * records past the store follow its damage. A missing stretch of positions with no bytes to show
   * for it (segments removed, or a tail cut behind the store) is only logged: the checkpointer
   * deletes the segments before it in due course. Removes what it moved from {@code kept}; returns
   * their new names.
   */
  private static List<Path> skipDamage(Path dir, LogScan scan, long applied, List<SegmentScan> kept)
      throws IOException {
    for (Damage d : scan.damage()) {
      LOG.log(
          Level.WARNING,
          "Op log segment {0} is damaged at byte offset {1,number,#} ({2}, {3,number,#} bytes"
              + " unreadable); it held {4}, which the store has already applied (through"
              + " {5,number,#}): skipped",
          d.file(),
          d.offset(),
          d.reason(),
          d.bytes(),
          d.positions(),
          applied);
    }
    Damage lastDamage =
        scan.damage().stream().filter(d -> d.bytes() > 0).reduce((a, b) -> b).orElse(null);
    if (lastDamage == null) {
      return List.of();
    }
    int holder = scan.segmentOf(lastDamage);
    boolean holderStays = kept.get(holder).lastPosition() > applied;
    int through = holderStays ? holder - 1 : holder;
    List<Path> moved = new ArrayList<>();
    for (int i = 0; i <= through; i++) {
      Path file = kept.get(i).file();
      Path aside = file.resolveSibling(file.getFileName() + ".damaged");
      Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
      moved.add(aside);
    }
    kept.subList(0, through + 1).clear();
    if (!moved.isEmpty()) {
      Segment.fsyncDirectory(dir);
      LOG.log(
          Level.WARNING,
          "Moved op log segment(s) {0} aside (kept for inspection; delete them at will): {1}",
          moved.stream().map(p -> p.getFileName().toString()).toList(),
          kept.isEmpty()
              ? "the log starts afresh after the store's position"
              : "the log now reaches back to position " + kept.get(0).firstPosition());
    }
    if (holderStays) {
      LOG.log(
          Level.WARNING,
          "Op log segment {0} holds records past the store after its damage: it is sealed and"
              + " replay steps over the damage; a checkpoint deletes it once the store is past it",
          lastDamage.file().getFileName());
    }
    return moved;
  }

  /**
   * Cuts a segment that will not be appended to back to its records: zeros it had filled ahead
   * would otherwise read as damage once another segment follows it. An empty one is deleted.
   */
  private static void seal(SegmentScan segment) throws IOException {
    if (segment.lastPosition() < segment.firstPosition()) {
      Files.delete(segment.file());
    } else if (Files.size(segment.file()) > segment.validBytes()) {
      truncate(segment.file(), segment.validBytes());
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
