package io.samzakv.storage.lmdb;

import io.samzakv.disk.DiskSpace;
import io.samzakv.disk.NoSpaceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReadWriteLock;
import org.lmdbjava.Env;
import org.lmdbjava.EnvInfo;

/**
 * Grows the LMDB map before it fills. LMDB never grows the map by itself: a write that needs a page
 * beyond it fails with MDB_MAP_FULL, and so can a delete (copy-on-write pages, freelist updates).
 * The engine asks for room before each batch and calls {@link #grow} if a write still hits the
 * limit.
 *
 * <p>The environment runs with {@code MDB_WRITEMAP}: LMDB extends the data file to the map size as
 * a sparse file and writes pages straight into the mapping. A page that lands in a hole when the
 * disk is full is a SIGBUS that kills the JVM. So every byte of the map is allocated on disk before
 * LMDB may use it: the whole map when the environment opens ({@link #allocateMap}) and each growth
 * before the map grows. When the disk cannot give it, the map stays as it was and the caller gets a
 * {@link io.samzakv.disk.NoSpaceException} before it wrote anything. The data file therefore takes
 * its whole map size on disk, and growth steps are capped at {@link #MAX_GROWTH} so that a large
 * map does not ask for as much again at once.
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

  /** The map grows by doubling, but by at most this much at a time. */
  static final long MAX_GROWTH = 1L << 30;

  private final Env<ByteBuffer> env;
  private final ReadWriteLock gate;
  private final Path dataFile;
  private final long pageSize;

  MapSizeGovernor(Env<ByteBuffer> env, ReadWriteLock gate, Path dataFile) {
    this.env = env;
    this.gate = gate;
    this.dataFile = dataFile;
    this.pageSize = env.stat().pageSize;
  }

  /**
   * Allocates the disk space of the whole map as it is now; call it after opening, before the first
   * write transaction.
   *
   * @throws io.samzakv.disk.NoSpaceException when the disk cannot hold the map
   */
  void allocateMap() {
    allocate(info().mapSize);
  }

  /**
   * Grows the map, doubling as often as needed, so that a batch fits under the high-water mark. Its
   * need is guessed conservatively: payloads twice (a rewritten large value keeps its old overflow
   * pages until no reader can see them) plus one copied leaf page per mutation (copy-on-write,
   * deletes included), but no more copied pages than exist, since a transaction copies a page at
   * most once.
   *
   * @throws io.samzakv.disk.NoSpaceException when the batch needs more than the map holds now and
   *     the disk cannot hold the grown map; the map stays as it was
   */
  void ensureRoomFor(long payloadBytes, int mutations) {
    EnvInfo info = info();
    // lastPageNumber is the high-water mark of the file: pages below it may be free for reuse,
    // so this overstates the use, which errs on the side of growing early.
    long used = (info.lastPageNumber + 1) * pageSize;
    long needed = used + 2 * payloadBytes + Math.min(mutations * pageSize, used);
    long target = info.mapSize;
    while (needed > target * HIGH_WATER) {
      target = grown(target);
    }
    if (target > info.mapSize) {
      try {
        resize(target);
      } catch (NoSpaceException e) {
        // Growing at the high-water mark is a margin, not a need: a batch that the map as it is
        // (already allocated on disk) can hold still goes ahead; only one that cannot is refused.
        if (needed > info.mapSize) {
          throw e;
        }
      }
    }
  }

  /**
   * Grows the map one step: the answer to a write that hit MDB_MAP_FULL despite the estimate.
   *
   * @throws io.samzakv.disk.NoSpaceException when the disk cannot hold the grown map
   */
  void grow() {
    resize(grown(info().mapSize));
  }

  private static long grown(long size) {
    return size + Math.min(size, MAX_GROWTH);
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

  /** Allocates the new size on disk first, outside the gate: readers need not wait for that. */
  private void resize(long newSize) {
    long growth = newSize - info().mapSize;
    // A posix_fallocate that runs out part-way may keep what it got (ext4 does), which would eat
    // the rest of the disk for a growth that cannot happen: ask only when the room is there.
    if (usableSpace() < growth) {
      throw new NoSpaceException(
          "no space on the file system to grow " + dataFile + " by " + growth + " bytes",
          new IOException(dataFile.getParent() + ": " + usableSpace() + " bytes usable"));
    }
    allocate(newSize);
    gate.writeLock().lock();
    try {
      // Env.setMapSize does not check for a closed Env; calling it on one would touch freed memory.
      checkOpen();
      env.setMapSize(newSize);
    } finally {
      gate.writeLock().unlock();
    }
  }

  private long usableSpace() {
    try {
      return Files.getFileStore(dataFile).getUsableSpace();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void allocate(long mapSize) {
    try {
      DiskSpace.allocate(dataFile, 0, mapSize);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void checkOpen() {
    if (env.isClosed()) {
      throw new IllegalStateException("LMDB environment is closed");
    }
  }
}
