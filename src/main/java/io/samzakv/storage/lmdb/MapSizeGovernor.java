package io.samzakv.storage.lmdb;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReadWriteLock;
import org.lmdbjava.Env;
import org.lmdbjava.EnvInfo;

/**
 * Grows the LMDB map before it fills. LMDB never grows the map by itself: a write that needs a page
 * beyond it fails with MDB_MAP_FULL, and so can a delete (copy-on-write pages, freelist updates).
 * The engine asks for room before each batch and calls {@link #grow} if a write still hits the
 * limit.
 *
 * <p>{@code mdb_env_set_mapsize} remaps the file and must only run while no transaction of this
 * process is open; LMDB does not check this. Every transaction in the engine runs under the read
 * side of {@code gate}, so resizing under its write side waits for them to finish and holds new
 * ones back for the short time the remap takes.
 *
 * <p>Thread contract: called only from the single writer thread; the gate makes it safe against
 * concurrent readers and {@code close}.
 */
final class MapSizeGovernor {

  /**
   * Grow when the projected use passes this fraction of the map. The headroom absorbs pages LMDB
   * cannot reuse yet (still visible to an open read snapshot) and underestimates of a batch.
   */
  static final double HIGH_WATER = 0.7;

  private final Env<ByteBuffer> env;
  private final ReadWriteLock gate;
  private final long pageSize;

  MapSizeGovernor(Env<ByteBuffer> env, ReadWriteLock gate) {
    this.env = env;
    this.gate = gate;
    this.pageSize = env.stat().pageSize;
  }

  /**
   * Grows the map, doubling as often as needed, so that a batch fits under the high-water mark. Its
   * need is guessed conservatively: payloads twice (a rewritten large value keeps its old overflow
   * pages until no reader can see them) plus one copied leaf page per mutation (copy-on-write,
   * deletes included), but no more copied pages than exist, since a transaction copies a page at
   * most once.
   */
  void ensureRoomFor(long payloadBytes, int mutations) {
    EnvInfo info = info();
    // lastPageNumber is the high-water mark of the file: pages below it may be free for reuse,
    // so this overstates the use, which errs on the side of growing early.
    long used = (info.lastPageNumber + 1) * pageSize;
    long needed = used + 2 * payloadBytes + Math.min(mutations * pageSize, used);
    long target = info.mapSize;
    while (needed > target * HIGH_WATER) {
      target *= 2;
    }
    if (target > info.mapSize) {
      resize(target);
    }
  }

  /** Doubles the map: the answer to a write that hit MDB_MAP_FULL despite the estimate. */
  void grow() {
    resize(info().mapSize * 2);
  }

  private EnvInfo info() {
    gate.readLock().lock();
    try {
      checkOpen();
      return env.info();
    } finally {
      gate.readLock().unlock();
    }
  }

  private void resize(long newSize) {
    gate.writeLock().lock();
    try {
      // Env.setMapSize does not check for a closed Env; calling it on one would touch freed memory.
      checkOpen();
      env.setMapSize(newSize);
    } finally {
      gate.writeLock().unlock();
    }
  }

  private void checkOpen() {
    if (env.isClosed()) {
      throw new IllegalStateException("LMDB environment is closed");
    }
  }
}
