package io.samzakv.storage.lmdb;

import static org.lmdbjava.DbiFlags.MDB_CREATE;
import static org.lmdbjava.EnvFlags.MDB_NORDAHEAD;
import static org.lmdbjava.EnvFlags.MDB_NOSYNC;
import static org.lmdbjava.EnvFlags.MDB_NOTLS;
import static org.lmdbjava.EnvFlags.MDB_WRITEMAP;

import io.samzakv.storage.EntryDigest;
import io.samzakv.storage.Evidence;
import io.samzakv.storage.KeyValue;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.PartitionCountMismatchException;
import io.samzakv.storage.PartitionHistory;
import io.samzakv.storage.PartitionScrub;
import io.samzakv.storage.SpaceUsage;
import io.samzakv.storage.StorageCorruptException;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.ValueCheck;
import io.samzakv.storage.WriteBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvInfo;
import org.lmdbjava.Txn;

/**
 * The node's storage on LMDB: one environment per node, one database ({@code p00000}, ...) per
 * partition and a {@code meta} database with the partition count, the applied op-log position and
 * each partition's {@link Evidence}.
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
  private static final System.Logger LOG = System.getLogger(LmdbStorageEngine.class.getName());
  private static final int REBUILD_BATCH = 4096;

  private final Path dir;
  private final String dataFile;
  private final EntryDigest digest;
  private final Env<ByteBuffer> env;

  /** Each partition's database; a rebuild or install swaps one, read by any thread. */
  private final AtomicReferenceArray<Dbi<ByteBuffer>> partitions;

  private final MetaDbi meta;
  private final Buffers buffers;
  private final ReadWriteLock gate;
  private final MapSizeGovernor governor;
  private final long pageSize;
  private volatile long appliedPosition;

  /** Each partition's history as of the last committed write; read by any thread. */
  private final AtomicReferenceArray<PartitionHistory> histories;

  /** Refreshed by the writer after each batch, read by metrics. */
  private volatile SpaceUsage space;

  private LmdbStorageEngine(
      Path dir,
      Env<ByteBuffer> env,
      ReadWriteLock gate,
      MapSizeGovernor governor,
      Dbi<ByteBuffer>[] partitions,
      MetaDbi meta,
      long applied,
      EntryDigest digest) {
    this.dir = dir;
    this.dataFile = dataFile(dir);
    this.digest = digest;
    this.env = env;
    this.partitions = new AtomicReferenceArray<>(partitions);
    this.meta = meta;
    this.buffers = new Buffers(env.getMaxKeySize());
    this.gate = gate;
    this.governor = governor;
    this.pageSize = env.stat().pageSize;
    this.appliedPosition = applied;
    this.histories = new AtomicReferenceArray<>(partitions.length);
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      for (int p = 0; p < partitions.length; p++) {
        histories.set(p, meta.history(txn, p));
      }
    }
    refreshSpace();
  }

  /**
   * Opens or creates the store in {@code dir}.
   *
   * @throws PartitionCountMismatchException when {@code dir} was created with another count
   * @throws io.samzakv.disk.NoSpaceException when the disk cannot hold the map
   * @throws StorageCorruptException when the catalog of databases or the metadata is damaged, so
   *     that nothing in the store can be trusted
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
            // Room for the originals, one rebuilt database per partition (see rebuild) and the two
            // that installs alternate between (see install).
            .setMaxDbs(4 * partitionCount + 1)
            .setMaxReaders(options.maxReaders())
            .open(dir.toFile(), MDB_NOTLS, MDB_NOSYNC, MDB_NORDAHEAD, MDB_WRITEMAP);
    try {
      ReadWriteLock gate = new ReentrantReadWriteLock();
      MapSizeGovernor governor = new MapSizeGovernor(env, gate, dir.resolve("data.mdb"));
      // Before the first write transaction: its pages must not land in holes of the file.
      governor.allocateMap();
      // A new file holds only LMDB's two meta pages. In any other, a missing meta database is a
      // damaged catalog, and creating it would write into the damaged page.
      boolean newFile = env.info().lastPageNumber <= 1;
      MetaDbi meta = new MetaDbi(env, partitionCount, newFile);
      long applied = claimPartitionCount(dir, env, meta, partitionCount);
      Dbi<ByteBuffer>[] dbis = openPartitions(dir, env, meta, partitionCount, applied == 0);
      EntryDigest digest = new EntryDigest(options.digestedValueBytes());
      recordMissingEvidence(dir, env, meta, dbis, digest);
      return new LmdbStorageEngine(dir, env, gate, governor, dbis, meta, applied, digest);
    } catch (RuntimeException e) {
      env.close();
      throw LmdbDamage.translate(
          e, StorageCorruptException.WHOLE_STORE, dataFile(dir) + " (catalog or meta database)");
    }
  }

  private static String dataFile(Path dir) {
    return dir.resolve("data.mdb").toString();
  }

  /**
   * Computes the evidence of partitions that have none: every partition of a new store, and all of
   * a store written before evidence existed. For the latter this trusts the data as it is now,
   * since there is nothing older to compare with; it is logged so an operator knows.
   */
  private static void recordMissingEvidence(
      Path dir, Env<ByteBuffer> env, MetaDbi meta, Dbi<ByteBuffer>[] dbis, EntryDigest digest) {
    long begin = System.nanoTime();
    int computed = 0;
    long entries = 0;
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      for (int p = 0; p < dbis.length; p++) {
        if (meta.evidence(txn, p) != null) {
          continue;
        }
        PartitionWalk walk = PartitionWalk.run(txn, dbis[p], digest, value -> true);
        if (walk.damage() != null) {
          throw new StorageCorruptException(
              p,
              dataFile(dir) + ", partition " + p + ": cannot compute evidence: " + walk.damage(),
              null);
        }
        meta.putEvidence(txn, p, walk.found());
        computed++;
        entries += walk.found().entries();
      }
      txn.commit();
    }
    if (entries > 0) {
      LOG.log(
          Level.INFO,
          "this store predates per-partition evidence: computed it for {0,number,#} partitions"
              + " ({1,number,#} entries) in {2,number,#} ms, trusting the data as it is now",
          computed,
          entries,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
    }
  }

  /**
   * Records the count in a new store, checks it in an existing one; returns the applied position.
   */
  private static long claimPartitionCount(
      Path dir, Env<ByteBuffer> env, MetaDbi meta, int partitionCount) {
    // Listing the databases takes a transaction of its own, so it must come before ours.
    boolean holdsDatabases = env.getDbiNames().size() > 1;
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      int stored = meta.partitionCount(txn);
      if (stored == -1 && holdsDatabases) {
        throw new StorageCorruptException(
            StorageCorruptException.WHOLE_STORE,
            dataFile(dir) + ": the meta database has lost the partition count of an existing store",
            null);
      }
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

  /**
   * Opens the partitions' databases, creating them only in a store that never applied a write: in
   * one that did, a missing database means a damaged catalog, and creating it would write into the
   * damaged page.
   */
  @SuppressWarnings("unchecked")
  private static Dbi<ByteBuffer>[] openPartitions(
      Path dir, Env<ByteBuffer> env, MetaDbi meta, int partitionCount, boolean fresh) {
    String[] names = new String[partitionCount];
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      for (int p = 0; p < partitionCount; p++) {
        String rebuilt = meta.databaseName(txn, p);
        names[p] = rebuilt != null ? rebuilt : String.format("p%05d", p);
      }
    }
    Dbi<ByteBuffer>[] dbis = new Dbi[partitionCount];
    for (int p = 0; p < partitionCount; p++) {
      String name = names[p];
      try {
        dbis[p] = fresh ? env.openDbi(name, MDB_CREATE) : env.openDbi(name);
      } catch (Dbi.KeyNotFoundException e) {
        throw new StorageCorruptException(
            StorageCorruptException.WHOLE_STORE,
            "the catalog of " + dataFile(dir) + " lacks database " + name,
            e);
      }
    }
    return dbis;
  }

  @Override
  public String location() {
    return dataFile;
  }

  @Override
  public int partitionCount() {
    return partitions.length();
  }

  @Override
  public byte[] get(int partition, byte[] key) {
    Dbi<ByteBuffer> dbi = partition(partition);
    buffers.checkKey(key);
    return read(
        txn -> {
          try {
            ByteBuffer value = dbi.get(txn, buffers.key(key));
            return value == null ? null : Buffers.copy(value);
          } catch (RuntimeException e) {
            throw LmdbDamage.translate(e, partition, dataFile);
          }
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
        txn ->
            MergedScan.run(
                txn, partitions::get, partitionIds, buffers.key(start), end, limit, dataFile));
  }

  @Override
  public PartitionScrub scrub(int partition, ValueCheck check) {
    Dbi<ByteBuffer> dbi = partition(partition);
    return read(
        txn -> {
          Evidence recorded = evidenceOrNull(txn, partition);
          PartitionWalk walk = PartitionWalk.run(txn, dbi, digest, check);
          String damage =
              recorded == null
                  ? "no evidence recorded for partition " + partition
                  : walk.damage() == null ? null : dataFile + ": " + walk.damage();
          return new PartitionScrub(
              partition,
              recorded == null ? Evidence.EMPTY : recorded,
              walk.found(),
              walk.badValues(),
              damage);
        });
  }

  @Override
  public void reserve(WriteBatch batch) {
    reserve(batch.mutations());
  }

  /** Checks each mutation's partition and key, then grows the map for their estimated need. */
  private void reserve(List<Mutation> mutations) {
    long payload = 0;
    for (Mutation m : mutations) {
      partition(m.partition());
      buffers.checkKey(m.key());
      payload += m.key().length + (m.isDelete() ? 0 : m.value().length);
    }
    governor.ensureRoomFor(payload, mutations.size());
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

  /**
   * One attempt in one write transaction; false when the map filled up and nothing was written.
   * Each mutation reads the entry it replaces, in the same transaction, to take it out of the
   * partition's evidence; the touched partitions' evidence is written once, with the data.
   */
  private boolean tryApply(WriteBatch batch) {
    gate.readLock().lock();
    try (Txn<ByteBuffer> txn = beginWrite()) {
      Map<Integer, Evidence> evidence = new HashMap<>();
      Map<Integer, PartitionHistory> advanced = new HashMap<>();
      for (Mutation m : batch.mutations()) {
        if (m.sequence() != 0) {
          advanced.put(
              m.partition(),
              advanced
                  .getOrDefault(m.partition(), histories.get(m.partition()))
                  .advance(m.epoch(), m.sequence()));
        }
        Evidence before = evidence.get(m.partition());
        evidence.put(
            m.partition(),
            applyOne(
                txn,
                partitions.get(m.partition()),
                m,
                before != null ? before : recordedEvidence(txn, m.partition())));
      }
      try {
        evidence.forEach((partition, updated) -> meta.putEvidence(txn, partition, updated));
        advanced.forEach((partition, history) -> meta.putHistory(txn, partition, history));
        meta.putAppliedPosition(txn, batch.appliedThrough());
      } catch (Env.MapFullException e) {
        throw e;
      } catch (RuntimeException e) {
        throw LmdbDamage.translate(
            e, StorageCorruptException.WHOLE_STORE, dataFile + " (meta database)");
      }
      txn.commit();
      advanced.forEach(histories::set);
      return true;
    } catch (Env.MapFullException e) {
      // Thrown by a put, a delete or the commit itself; try-with-resources has aborted the txn.
      return false;
    } finally {
      gate.readLock().unlock();
    }
  }

  private Evidence recordedEvidence(Txn<ByteBuffer> txn, int partition) {
    Evidence evidence = evidenceOrNull(txn, partition);
    if (evidence == null) {
      throw new StorageCorruptException(
          partition,
          dataFile + ": the meta database lost the evidence of partition " + partition,
          null);
    }
    return evidence;
  }

  /**
   * The partition's recorded evidence, or null; damage in the meta database is the whole store's.
   */
  private Evidence evidenceOrNull(Txn<ByteBuffer> txn, int partition) {
    try {
      return meta.evidence(txn, partition);
    } catch (RuntimeException e) {
      throw LmdbDamage.translate(
          e, StorageCorruptException.WHOLE_STORE, dataFile + " (meta database)");
    }
  }

  /**
   * Applies {@code m} to {@code dbi} and returns the partition's evidence after it, given the
   * evidence before it.
   */
  private Evidence applyOne(Txn<ByteBuffer> txn, Dbi<ByteBuffer> dbi, Mutation m, Evidence before) {
    try {
      Evidence evidence = before;
      ByteBuffer key = buffers.key(m.key());
      ByteBuffer old = dbi.get(txn, key);
      if (old != null) {
        evidence = evidence.minus(digest.of(key, old));
        if (m.isDelete()) {
          dbi.delete(txn, key);
        }
      }
      if (!m.isDelete()) {
        // MDB_RESERVE lets us copy the value straight into its page: no direct value buffer.
        dbi.reserve(txn, key, m.value().length).put(m.value());
        evidence = evidence.plus(digest.of(m.key(), m.value()));
      }
      return evidence;
    } catch (Env.MapFullException e) {
      throw e;
    } catch (RuntimeException e) {
      throw LmdbDamage.translate(e, m.partition(), dataFile);
    }
  }

  /**
   * Rebuilds {@code partition} into a fresh database and switches to it in one transaction with its
   * evidence and the history its mutations carry. The damaged database is never touched again, not
   * even to drop it ({@code mdb_drop} walks its pages); its space stays unused in the file.
   */
  @Override
  public void rebuild(int partition, Consumer<Consumer<Mutation>> source) {
    PartitionHistory[] history = {PartitionHistory.EMPTY};
    fill(
        partition,
        String.format("p%05d-r%d", partition, System.currentTimeMillis()),
        sink ->
            source.accept(
                m -> {
                  history[0] = history[0].advance(m.epoch(), m.sequence());
                  sink.accept(m);
                }),
        () -> history[0]);
  }

  @Override
  public void install(
      int partition, Consumer<Consumer<Mutation>> source, Supplier<PartitionHistory> history) {
    partition(partition);
    fill(partition, installTarget(partition), source, history);
    sync();
  }

  /**
   * The database an install fills: of the partition's two install databases, the one not in use. A
   * replica installs copies many times in its life; a new database each time would never give its
   * space back and would run out of the environment's database handles (maxdbs).
   */
  private String installTarget(int partition) {
    String first = String.format("p%05d-i0", partition);
    String current = read(txn -> meta.databaseName(txn, partition));
    return first.equals(current) ? String.format("p%05d-i1", partition) : first;
  }

  @Override
  public PartitionHistory history(int partition) {
    partition(partition);
    return histories.get(partition);
  }

  @Override
  public PartitionHistory snapshot(int partition, Consumer<KeyValue> each) {
    Dbi<ByteBuffer> dbi = partition(partition);
    return read(
        txn -> {
          PartitionHistory history = meta.history(txn, partition);
          try (var cursor = dbi.iterate(txn)) {
            for (var entry : cursor) {
              each.accept(
                  new KeyValue(partition, Buffers.copy(entry.key()), Buffers.copy(entry.val())));
            }
          }
          return history;
        });
  }

  /**
   * Writes what {@code source} feeds into a fresh database of {@code partition} and switches to it
   * in one transaction with its evidence and {@code history} (asked for once the source is done).
   * The database {@code name} is emptied first: an install reuses the one its previous install
   * replaced. Emptying (mdb_drop without delete) keeps the handle valid for any reader still on it.
   */
  private void fill(
      int partition,
      String name,
      Consumer<Consumer<Mutation>> source,
      Supplier<PartitionHistory> history) {
    partition(partition);
    Dbi<ByteBuffer> fresh;
    gate.readLock().lock();
    try {
      checkOpen();
      fresh = env.openDbi(name, MDB_CREATE);
      try (Txn<ByteBuffer> txn = env.txnWrite()) {
        fresh.drop(txn);
        txn.commit();
      }
    } finally {
      gate.readLock().unlock();
    }
    List<Mutation> batch = new ArrayList<>(REBUILD_BATCH);
    Evidence[] evidence = {Evidence.EMPTY};
    source.accept(
        m -> {
          batch.add(m);
          if (batch.size() == REBUILD_BATCH) {
            evidence[0] = applyRebuilt(fresh, batch, evidence[0], null);
            batch.clear();
          }
        });
    PartitionHistory after = history.get();
    applyRebuilt(fresh, batch, evidence[0], new Switch(partition, name, after));
    partitions.set(partition, fresh);
    histories.set(partition, after);
  }

  /** The partition whose database a rebuild's last transaction switches, and the new name. */
  private record Switch(int partition, String name, PartitionHistory history) {}

  private Evidence applyRebuilt(
      Dbi<ByteBuffer> fresh, List<Mutation> batch, Evidence before, Switch switchTo) {
    reserve(batch);
    while (true) {
      gate.readLock().lock();
      try (Txn<ByteBuffer> txn = beginWrite()) {
        Evidence evidence = before;
        for (Mutation m : batch) {
          evidence = applyOne(txn, fresh, m, evidence);
        }
        if (switchTo != null) {
          meta.putEvidence(txn, switchTo.partition(), evidence);
          meta.putDatabaseName(txn, switchTo.partition(), switchTo.name());
          meta.putHistory(txn, switchTo.partition(), switchTo.history());
        }
        txn.commit();
        return evidence;
      } catch (Env.MapFullException e) {
        // Aborted; grow outside the read side of the gate and try the same batch again.
      } finally {
        gate.readLock().unlock();
      }
      governor.grow();
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
    if (partition < 0 || partition >= partitions.length()) {
      throw new IllegalArgumentException(
          "partition " + partition + " is outside 0.." + (partitions.length() - 1));
    }
    return partitions.get(partition);
  }

  private void checkOpen() {
    if (env.isClosed()) {
      throw new IllegalStateException("storage in " + dir + " is closed");
    }
  }
}
