package io.samzakv.store;

import io.samzakv.oplog.LogRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The newest records this node logged, per partition, in memory: the tail a replica that fell
 * behind (or a new copy, after its snapshot) catches up from without reading the op log. Bounded by
 * bytes, but a record is only dropped once the engine has applied it, so every record a snapshot of
 * the engine does not hold yet is still here.
 *
 * <p>Thread contract: thread-safe; the write path adds and marks applied, catch-ups read.
 */
public final class RecentRecords {
  private final ArrayDeque<LogRecord> inLogOrder = new ArrayDeque<>();
  private final ArrayDeque<LogRecord>[] byPartition;

  /** Per partition, the sequence of the newest record no longer held (at start: all of them). */
  private final long[] droppedThrough;

  private final long budgetBytes;
  private long bytes;
  private long applied;

  /**
   * @param startSequences each partition's sequence when the node started: the records up to it are
   *     only on disk
   */
  @SuppressWarnings("unchecked")
  RecentRecords(long[] startSequences, long budgetBytes) {
    this.byPartition = new ArrayDeque[startSequences.length];
    for (int p = 0; p < startSequences.length; p++) {
      byPartition[p] = new ArrayDeque<>();
    }
    this.droppedThrough = startSequences.clone();
    this.budgetBytes = budgetBytes;
  }

  synchronized void add(LogRecord record) {
    inLogOrder.addLast(record);
    byPartition[record.partition()].addLast(record);
    bytes += size(record);
    trim();
  }

  /** The engine has applied every record up to {@code position}: those may now be dropped. */
  synchronized void applied(long position) {
    applied = position;
    trim();
  }

  /**
   * Drops the records of {@code partition} above sequence {@code after}: they were logged by a
   * primary that lost the partition before they were acknowledged, and are no part of its history.
   */
  synchronized void forget(int partition, long after) {
    if (inLogOrder.removeIf(r -> r.partition() == partition && r.sequence() > after)) {
      byPartition[partition].removeIf(r -> r.sequence() > after);
      bytes = 0;
      inLogOrder.forEach(r -> bytes += size(r));
    }
  }

  /** Drops every record of {@code partition}: a copy up to {@code sequence} replaced it. */
  synchronized void reset(int partition, long sequence) {
    forget(partition, Long.MIN_VALUE);
    droppedThrough[partition] = sequence;
  }

  /**
   * The records of {@code partition} with a sequence above {@code after}, in order; null when the
   * record right after it is no longer held (the caller needs a snapshot instead).
   */
  public synchronized List<LogRecord> since(int partition, long after) {
    if (after < droppedThrough[partition]) {
      return null;
    }
    List<LogRecord> tail = new ArrayList<>();
    for (LogRecord record : byPartition[partition]) {
      if (record.sequence() > after) {
        tail.add(record);
      }
    }
    return tail;
  }

  private void trim() {
    while (bytes > budgetBytes
        && !inLogOrder.isEmpty()
        && inLogOrder.peekFirst().position() <= applied) {
      LogRecord oldest = inLogOrder.pollFirst();
      byPartition[oldest.partition()].pollFirst();
      droppedThrough[oldest.partition()] = oldest.sequence();
      bytes -= size(oldest);
    }
  }

  private static long size(LogRecord record) {
    return 64L + record.key().length + (record.value() == null ? 0 : record.value().length);
  }
}
