package io.samzakv.store;

import io.samzakv.oplog.LogRecord;
import io.samzakv.oplog.OpLog;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.WriteBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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

  @Override
  public void accept(LogRecord record) {
    batch.add(
        switch (record.op()) {
          case PUT -> Mutation.put(record.partition(), record.key(), record.value());
          case DELETE -> Mutation.delete(record.partition(), record.key());
        });
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
