package io.samzakv.store;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The versions that logged but not yet applied writes give their keys. The sequencer logs a batch
 * and moves on while the batch waits for its replicas; the next batch's version checks must build
 * on it all the same, and neither the cache nor the engine has it yet.
 *
 * <p>Thread contract: the sequencer records, the applier forgets; lookups from the sequencer.
 */
final class PendingVersions {
  /** One logged write's version (0: deleted); identity tells a later write of the key apart. */
  static final class Pending {
    final long version;

    /**
     * The pending write it replaced, restored if this one is rolled back; dropped once this one is
     * logged ({@link #logged}), so a key written in every batch does not chain them all.
     */
    Pending previous;

    Pending(long version, Pending previous) {
      this.version = version;
      this.previous = previous;
    }
  }

  private final ConcurrentHashMap<String, Pending> byKey = new ConcurrentHashMap<>();

  Pending record(String key, long version) {
    Pending[] made = new Pending[1];
    byKey.compute(key, (k, previous) -> made[0] = new Pending(version, previous));
    return made[0];
  }

  /** {@code pending} reached the log: it can no longer be rolled back. Sequencer only. */
  static void logged(Pending pending) {
    pending.previous = null;
  }

  /** Undoes {@link #record} of a write that was never logged (newest first). */
  void rollBack(String key, Pending pending) {
    if (pending.previous == null) {
      byKey.remove(key, pending);
    } else {
      byKey.replace(key, pending, pending.previous);
    }
  }

  /** The pending version of {@code key}, or null when every write of it is applied. */
  Long version(String key) {
    Pending pending = byKey.get(key);
    return pending == null ? null : pending.version;
  }

  /** Forgets {@code pending} once applied (or dropped), unless a later write replaced it. */
  void applied(String key, Pending pending) {
    byKey.remove(key, pending);
  }
}
