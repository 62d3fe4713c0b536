package io.samzakv.store;

import io.samzakv.oplog.CorruptLogException;
import io.samzakv.oplog.LogRecord;
import io.samzakv.oplog.OpLog;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.PartitionScrub;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.ValueCheck;
import io.samzakv.storage.WriteBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Brings the engine up to the end of the op log at start-up: every record past the engine's applied
 * position is applied again, in order, in batches. Records are idempotent (a put carries the whole
 * stored value, a delete of an absent key is a no-op), so a crash during recovery only means it
 * runs again. Records of partitions marked damaged are not applied (writing into a damaged page can
 * abort the process); those partitions stay unavailable until repaired.
 *
 * <p>Thread contract: single use, on one thread, before the store serves.
 */
final class Recovery implements Consumer<LogRecord> {
  private static final System.Logger LOG = System.getLogger(Recovery.class.getName());
  private static final int BATCH = 4096;

  private final StorageEngine storage;
  private final PartitionHealth health;
  private final List<Mutation> batch = new ArrayList<>(BATCH);
  private long lastPosition;
  private long replayed;

  private Recovery(StorageEngine storage, PartitionHealth health) {
    this.storage = storage;
    this.health = health;
  }

  /** Replays what the engine lacks and returns how many records that was. */
  static long replay(OpLog log, StorageEngine storage, PartitionHealth health) throws IOException {
    Recovery recovery = new Recovery(storage, health);
    log.replay(storage.appliedPosition(), recovery);
    recovery.flush();
    return recovery.replayed;
  }

  /** The partitions that records past the engine's applied position write to. */
  static Set<Integer> partitionsToReplay(OpLog log, long appliedPosition) throws IOException {
    Set<Integer> partitions = new TreeSet<>();
    log.replay(appliedPosition, record -> partitions.add(record.partition()));
    return partitions;
  }

  /**
   * Rebuilds every damaged partition from the whole op log, when the log still reaches back to its
   * first record (no segment was ever deleted), into a fresh database that never touches the
   * damaged pages; a rebuilt partition that scrubs clean serves again. A log that cannot be read
   * through (damage that start-up skipped because the engine held it) rebuilds nothing: those
   * partitions stay damaged. Before the store serves only: nothing else may use the damaged
   * partitions meanwhile.
   */
  static void rebuildDamaged(
      OpLog log, StorageEngine storage, PartitionHealth health, ValueCheck check)
      throws IOException {
    Set<Integer> damaged = health.corrupt().keySet();
    if (damaged.isEmpty()) {
      return;
    }
    long first = log.firstRetainedPosition();
    if (first != 1) {
      LOG.log(
          Level.ERROR,
          "partitions {0} stay unavailable: the op log starts at position {1,number,#}, not 1, so"
              + " it cannot rebuild them; restore the data directory (see README)",
          damaged,
          first);
      return;
    }
    for (int partition : damaged) {
      long begin = System.nanoTime();
      try {
        storage.rebuild(partition, sink -> replayPartition(log, partition, sink));
      } catch (UncheckedIOException e) {
        if (!(e.getCause() instanceof CorruptLogException unreadable)) {
          throw e.getCause();
        }
        LOG.log(
            Level.ERROR,
            "partition {0} stays unavailable: the op log cannot rebuild it ({1}); restore the data"
                + " directory (see README)",
            partition,
            unreadable.getMessage());
        continue;
      }
      PartitionScrub scrub = storage.scrub(partition, check);
      if (!scrub.matchesEvidence()) {
        LOG.log(Level.ERROR, "partition {0} rebuilt but {1}", partition, scrub.describe());
        continue;
      }
      LOG.log(
          Level.WARNING,
          "partition {0} rebuilt from the op log in {1,number,#} ms ({2,number,#} entries) into a"
              + " fresh database; the damaged one stays unused in the file",
          partition,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin),
          scrub.found().entries());
      health.repaired(partition);
    }
  }

  private static void replayPartition(OpLog log, int partition, Consumer<Mutation> sink) {
    try {
      log.replay(
          0,
          record -> {
            if (record.partition() == partition) {
              sink.accept(mutation(record));
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Mutation mutation(LogRecord record) {
    Mutation unstamped =
        switch (record.op()) {
          case PUT -> Mutation.put(record.partition(), record.key(), record.value());
          case DELETE -> Mutation.delete(record.partition(), record.key());
        };
    return unstamped.stamped(record.epoch(), record.sequence());
  }

  @Override
  public void accept(LogRecord record) {
    batch.add(mutation(record));
    lastPosition = record.position();
    replayed++;
    if (batch.size() == BATCH) {
      flush();
    }
  }

  private void flush() {
    if (!batch.isEmpty()) {
      health.applyHealthy(storage, new WriteBatch(List.copyOf(batch), lastPosition));
      batch.clear();
    }
  }
}
