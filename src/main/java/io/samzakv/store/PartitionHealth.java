package io.samzakv.store;

import io.samzakv.kv.Alarms;
import io.samzakv.kv.KvException;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.StorageCorruptException;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.WriteBatch;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Which of this node's partitions are damaged, as found by a scrub or met by a read or write. A
 * damaged partition answers every request with 503 {@code partition_corrupt} and takes no write (a
 * write into a damaged LMDB page can abort the process), and the {@code CORRUPT} alarm names every
 * damaged partition and the file, until it is repaired.
 *
 * <p>Thread contract: safe for any thread; {@link #refusal} is a map lookup and never blocks.
 */
final class PartitionHealth {
  private static final System.Logger LOG = System.getLogger(PartitionHealth.class.getName());

  private final Map<Integer, String> corrupt = new ConcurrentSkipListMap<>();
  private final Alarms alarms;
  private final String dataFile;

  /**
   * @param dataFile the file the damage is in, named in the alarm so an operator knows what to
   *     restore
   */
  PartitionHealth(Alarms alarms, String dataFile) {
    this.alarms = alarms;
    this.dataFile = dataFile;
  }

  /** Marks {@code partition} damaged; logged and alarmed the first time. */
  synchronized void markCorrupt(int partition, String why) {
    if (corrupt.putIfAbsent(partition, why) != null) {
      return;
    }
    LOG.log(Level.ERROR, "partition {0} is damaged and now refuses requests: {1}", partition, why);
    alarms.update(Alarms.Alarm.CORRUPT, alarmDetail());
  }

  /**
   * Takes {@code partition} off the damaged list after a repair; clears the alarm with the last.
   */
  synchronized void repaired(int partition) {
    if (corrupt.remove(partition) == null) {
      return;
    }
    LOG.log(Level.INFO, "partition {0} is repaired and serves again", partition);
    if (corrupt.isEmpty()) {
      alarms.clear(Alarms.Alarm.CORRUPT);
    } else {
      alarms.update(Alarms.Alarm.CORRUPT, alarmDetail());
    }
  }

  private String alarmDetail() {
    return "partitions "
        + corrupt.keySet()
        + " of "
        + dataFile
        + " are damaged; see README: repair";
  }

  boolean isCorrupt(int partition) {
    return corrupt.containsKey(partition);
  }

  /** The 503 a request touching {@code partition} gets, or null when it is healthy. */
  KvException refusal(int partition) {
    String why = corrupt.get(partition);
    return why == null
        ? null
        : KvException.partitionCorrupt(
            "partition " + partition + " is damaged and unavailable until repaired: " + why);
  }

  /**
   * The answer to a request that met damage: the partition is marked (damage outside any one
   * partition raises the alarm for the whole file) and the request gets its 503.
   */
  KvException damaged(StorageCorruptException e) {
    if (e.partition() == StorageCorruptException.WHOLE_STORE) {
      alarms.raise(Alarms.Alarm.CORRUPT, e.getMessage());
      return KvException.partitionCorrupt("the store is damaged: " + e.getMessage());
    }
    markCorrupt(e.partition(), e.getMessage());
    return refusal(e.partition());
  }

  /**
   * Applies {@code batch} without the mutations of damaged partitions, marking any partition the
   * engine finds damaged on the way and trying again without it, so one damaged partition never
   * stops the others' writes. Returns the partitions whose mutations were left out.
   *
   * @throws StorageCorruptException when the damage is not in one partition (the metadata)
   */
  Set<Integer> applyHealthy(StorageEngine storage, WriteBatch batch) {
    Set<Integer> left = new TreeSet<>();
    while (true) {
      List<Mutation> healthy = new ArrayList<>(batch.mutations().size());
      for (Mutation m : batch.mutations()) {
        if (isCorrupt(m.partition())) {
          left.add(m.partition());
        } else {
          healthy.add(m);
        }
      }
      try {
        storage.apply(new WriteBatch(healthy, batch.appliedThrough()));
        return left;
      } catch (StorageCorruptException e) {
        if (e.partition() == StorageCorruptException.WHOLE_STORE) {
          throw e;
        }
        markCorrupt(e.partition(), e.getMessage());
      }
    }
  }

  /** The damaged partitions and why, in partition order. */
  Map<Integer, String> corrupt() {
    return new TreeMap<>(corrupt);
  }

  int corruptCount() {
    return corrupt.size();
  }
}
