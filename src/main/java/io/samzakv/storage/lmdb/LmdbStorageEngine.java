package io.samzakv.storage.lmdb;

import static org.lmdbjava.DbiFlags.MDB_CREATE;
import static org.lmdbjava.EnvFlags.MDB_NORDAHEAD;
import static org.lmdbjava.EnvFlags.MDB_NOSYNC;
import static org.lmdbjava.EnvFlags.MDB_NOTLS;
import static org.lmdbjava.EnvFlags.MDB_WRITEMAP;

import io.samzakv.storage.KeyValue;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.PartitionCountMismatchException;
import io.samzakv.storage.SpaceUsage;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.WriteBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvInfo;
import org.lmdbjava.Txn;

/**
 * The node's storage on LMDB: one environment per node, one database ({@code p00000}, ...) per
 * partition and a {@code meta} database with the partition count and the applied op-log position.
 *
 * <p>The environment is opened with {@code MDB_NOTLS}, so a read transaction is not tied to the
 * thread's reader slot and any pool thread can read, and with {@code MDB_NOSYNC}: commits are not
 * forced to disk because the op log is the durability mechanism; {@link #sync} forces them when the
 * op log wants to drop records. {@code MDB_WRITEMAP} lets a commit write pages straight into the
 * shared mapping instead of copying every dirty page out with {@code pwrite}, which was most of a
 * batch's apply time. LMDB makes the data file as large as the map; {@link MapSizeGovernor}
 * allocates its blocks on disk ahead of every use, so a full disk fails a write cleanly instead of
 * crashing the JVM.
 *
 * <p>Thread contract: {@link #apply} from one writer thread at a time; {@link #get}, {@link #scan},
 * {@link #sync}, {@link #appliedPosition} and {@link #space} from any thread. Every transaction
 * runs under the read side of a lock whose write side is taken only to resize the map (see {@link
 * MapSizeGovernor}) and to close, so readers never wait for the writer's transactions, only for a
 * resize.
 */
public final class LmdbStorageEngine implements StorageEngine {

  private final Path dir;
  private final Env<ByteBuffer> env;
  private final Dbi<ByteBuffer>[] partitions;
  private final MetaDbi meta;
  private final Buffers buffers;
  private final ReadWriteLock gate;
  private final MapSizeGovernor governor;
  private final long pageSize;
  private volatile long appliedPosition;

  /** Refreshed by the writer after each batch, read by metrics. */
  private volatile SpaceUsage space;

  private LmdbStorageEngine(
      Path dir,
      Env<ByteBuffer> env,
      ReadWriteLock gate,
      MapSizeGovernor governor,
      Dbi<ByteBuffer>[] partitions,
      MetaDbi meta,
      long applied) {
    this.dir = dir;
    this.env = env;
    this.partitions = partitions;
    this.meta = meta;
    this.buffers = new Buffers(env.getMaxKeySize());
    this.gate = gate;
    this.governor = governor;
    this.pageSize = env.stat().pageSize;
    this.appliedPosition = applied;
    refreshSpace();
  }

  /**
   * Opens or creates the store in {@code dir}.
   *
   * @throws PartitionCountMismatchException when {@code dir} was created with another count
   * @throws io.samzakv.disk.NoSpaceException when the disk cannot hold the map
   */
  public static LmdbStorageEngine open(Path dir, int partitionCount, LmdbOptions options) {
    if (partitionCount <= 0) {
      throw new IllegalArgumentException("partitions must be > 0, got " + partitionCount);
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data dir " + dir, e);
    }
    Env<ByteBuffer> env =
        Env.create()
            .setMapSize(options.initialMapBytes())
            .setMaxDbs(partitionCount + 1)
            .setMaxReaders(options.maxReaders())
            .open(dir.toFile(), MDB_NOTLS, MDB_NOSYNC, MDB_NORDAHEAD, MDB_WRITEMAP);
    try {
      ReadWriteLock gate = new ReentrantReadWriteLock();
      MapSizeGovernor governor = new MapSizeGovernor(env, gate, dir.resolve("data.mdb"));
      // Before the first write transaction: its pages must not land in holes of the file.
      governor.allocateMap();
      MetaDbi meta = new MetaDbi(env);
      long applied = claimPartitionCount(dir, env, meta, partitionCount);
      return new LmdbStorageEngine(
          dir, env, gate, governor, openPartitions(env, partitionCount), meta, applied);
    } catch (RuntimeException e) {
      env.close();
      throw e;
    }
  }

  /**
   * Records the count in a new store, checks it in an existing one; returns the applied position.
   */
  private static long claimPartitionCount(
      Path dir, Env<ByteBuffer> env, MetaDbi meta, int partitionCount) {
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      int stored = meta.partitionCount(txn);
      if (stored == -1) {
        meta.putPartitionCount(txn, partitionCount);
      } else if (stored != partitionCount) {
        throw new PartitionCountMismatchException(dir.toString(), stored, partitionCount);
      }
      long applied = meta.appliedPosition(txn);
      txn.commit();
      return applied;
    }
  }

  @SuppressWarnings("unchecked")
  private static Dbi<ByteBuffer>[] openPartitions(Env<ByteBuffer> env, int partitionCount) {
    Dbi<ByteBuffer>[] dbis = new Dbi[partitionCount];
    for (int p = 0; p < partitionCount; p++) {
      dbis[p] = env.openDbi(String.format("p%05d", p), MDB_CREATE);
    }
    return dbis;
  }

  @Override
  public int partitionCount() {
    return partitions.length;
  }

  @Override
  public byte[] get(int partition, byte[] key) {
    Dbi<ByteBuffer> dbi = partition(partition);
    buffers.checkKey(key);
    return read(
        txn -> {
          ByteBuffer value = dbi.get(txn, buffers.key(key));
          return value == null ? null : Buffers.copy(value);
        });
  }

  @Override
  public List<KeyValue> scan(int[] partitionIds, byte[] start, byte[] end, int limit) {
    for (int partition : partitionIds) {
      partition(partition);
    }
    if (start.length > env.getMaxKeySize()) {
      throw new IllegalArgumentException(
          "scan start of " + start.length + " bytes is longer than any key");
    }
    if (limit <= 0) {
      return List.of();
    }
    return read(
        txn -> MergedScan.run(txn, partitions, partitionIds, buffers.key(start), end, limit));
  }

  @Override
  public void reserve(WriteBatch batch) {
    long payload = 0;
    for (Mutation m : batch.mutations()) {
      partition(m.partition());
      buffers.checkKey(m.key());
      payload += m.key().length + (m.isDelete() ? 0 : m.value().length);
    }
    governor.ensureRoomFor(payload, batch.mutations().size());
  }

  @Override
  public void apply(WriteBatch batch) {
    reserve(batch);
    while (!tryApply(batch)) {
      governor.grow();
    }
    appliedPosition = batch.appliedThrough();
    refreshSpace();
  }

  @Override
  public SpaceUsage space() {
    return space;
  }

  /**
   * Takes a new {@link #space} snapshot: mdb_env_info only reads the meta page. Once the engine is
   * closed the last snapshot stays; this never fails a batch that is already committed.
   */
  private void refreshSpace() {
    gate.readLock().lock();
    try {
      if (!env.isClosed()) {
        EnvInfo info = env.info();
        space = new SpaceUsage(info.mapSize, (info.lastPageNumber + 1) * pageSize);
      }
    } finally {
      gate.readLock().unlock();
    }
  }

  /** One attempt in one write transaction; false when the map filled up and nothing was written. */
  private boolean tryApply(WriteBatch batch) {
    gate.readLock().lock();
    try (Txn<ByteBuffer> txn = beginWrite()) {
      for (Mutation m : batch.mutations()) {
        Dbi<ByteBuffer> dbi = partitions[m.partition()];
        ByteBuffer key = buffers.key(m.key());
        if (m.isDelete()) {
          dbi.delete(txn, key);
        } else {
          // MDB_RESERVE lets us copy the value straight into its page: no direct value buffer.
          dbi.reserve(txn, key, m.value().length).put(m.value());
        }
      }
      meta.putAppliedPosition(txn, batch.appliedThrough());
      txn.commit();
      return true;
    } catch (Env.MapFullException e) {
      // Thrown by a put, a delete or the commit itself; try-with-resources has aborted the txn.
      return false;
    } finally {
      gate.readLock().unlock();
    }
  }

  private Txn<ByteBuffer> beginWrite() {
    checkOpen();
    return env.txnWrite();
  }

  @Override
  public long appliedPosition() {
    return appliedPosition;
  }

  @Override
  public long sync() {
    // Read before syncing: everything committed up to this position is covered by the sync.
    long position = appliedPosition;
    gate.readLock().lock();
    try {
      checkOpen();
      env.sync(true);
    } finally {
      gate.readLock().unlock();
    }
    return position;
  }

  @Override
  public void close() {
    gate.writeLock().lock();
    try {
      if (env.isClosed()) {
        return;
      }
      // Closing the environment releases every Dbi handle; mdb_dbi_close one by one adds nothing.
      env.close();
    } finally {
      gate.writeLock().unlock();
    }
  }

  private <R> R read(Function<Txn<ByteBuffer>, R> body) {
    gate.readLock().lock();
    try {
      checkOpen();
      try (Txn<ByteBuffer> txn = env.txnRead()) {
        return body.apply(txn);
      }
    } finally {
      gate.readLock().unlock();
    }
  }

  private Dbi<ByteBuffer> partition(int partition) {
    if (partition < 0 || partition >= partitions.length) {
      throw new IllegalArgumentException(
          "partition " + partition + " is outside 0.." + (partitions.length - 1));
    }
    return partitions[partition];
  }

  private void checkOpen() {
    if (env.isClosed()) {
      throw new IllegalStateException("storage in " + dir + " is closed");
    }
  }
}
