package io.samzakv.store;

import io.samzakv.codec.CorruptValueException;
import io.samzakv.codec.ValueCodec;
import io.samzakv.disk.NoSpaceException;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.VersionedValue;
import io.samzakv.oplog.LogOp;
import io.samzakv.oplog.LogRecord;
import io.samzakv.oplog.OpLog;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.PartitionHistory;
import io.samzakv.storage.StorageCorruptException;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.WriteBatch;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Serializes every write of this node's partitions, and acknowledges it only once it is durable
 * here and on every in-sync replica.
 *
 * <p>One <em>sequencer</em> thread takes the commands queued at that moment (a bounded batch): a
 * client's write to a partition this node serves as primary is checked against the key's latest
 * version (logged writes not yet applied included, see {@link PendingVersions}), stamped with the
 * partition's leader epoch and next sequence, encoded and appended to the op log; records a primary
 * shipped to this replica are checked to continue their partition's sequence and appended as they
 * are. It reserves the engine's room, commits the batch ({@link OpLog#commitNow}: with {@code
 * fsync=always}, one fsync for all of it), answers the shipped records (durable now), hands the
 * primary's records to {@link Replication} and passes the batch to the {@link Applier}. It never
 * waits for a replica: the next batch is sequenced while this one's round trips run, so batches are
 * pipelined, and a replica's answer only ever waits for its own fsync, so no two members can wait
 * on each other.
 *
 * <p>Group commit needs no timer: while the sequencer is inside one fsync the next batch queues up,
 * so under load each fsync covers every write that arrived meanwhile.
 *
 * <p>Failures are kept as small as the state allows. A command that fails before its record is
 * logged fails alone. A batch for which the disk has no room is refused whole with 507 before any
 * of it is logged. Only a failure that may have left the log and the engine out of step stops all
 * writes until a restart replays the log (see {@link WritePathState}).
 *
 * <p>Thread contract: {@link #submit} and the counters from any thread; the rest runs on the
 * sequencer.
 */
final class WritePipeline implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(WritePipeline.class.getName());
  static final int QUEUE_CAPACITY = 65_536;
  private static final int MAX_BATCH = 1024;

  /**
   * A batch stops taking commands once their records pass this many bytes (a single bigger one
   * still goes alone), which bounds the op log's append buffer and what one refusal refuses.
   */
  static final long MAX_BATCH_BYTES = 8L << 20;

  /** {@link #currentVersion} of a key whose stored value fails its checksum. */
  private static final long CORRUPT = -1;

  private final BlockingQueue<PipelineCommand> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);

  /** Commands taken from the queue that did not fit into the last batch; sequencer only. */
  private final ArrayDeque<PipelineCommand> carried = new ArrayDeque<>();

  /** {@code carried.size()} for other threads. */
  private volatile int carriedCount;

  private final OpLog log;
  private final StorageEngine storage;
  private final ValueCache cache;
  private final ValueCodec codec;
  private final PartitionHealth health;
  private final WritePathState state;
  private final PendingVersions pending = new PendingVersions();
  private final RecentRecords recent;
  private final Applier applier;
  private final Thread sequencer;
  private final LongAdder rejectedQueueFull = new LongAdder();

  /**
   * Per partition, its history as logged here (the engine's, plus what the applier has not applied
   * yet): the next sequence to hand out, and which records a primary ships are ones this copy
   * already holds. Sequencer only.
   */
  private final PartitionHistory[] logged;

  private final java.util.Set<Integer> installed =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile PartitionRoles roles = PartitionRoles.SOLE;
  private volatile Replication replication = Replication.NONE;
  private volatile boolean accepting = true;

  WritePipeline(
      OpLog log,
      StorageEngine storage,
      ValueCache cache,
      ValueCodec codec,
      WritePathState state,
      PartitionHealth health,
      long recentRecordBytes) {
    this.log = log;
    this.storage = storage;
    this.cache = cache;
    this.codec = codec;
    this.state = state;
    this.health = health;
    this.logged = new PartitionHistory[storage.partitionCount()];
    long[] started = new long[logged.length];
    for (int p = 0; p < logged.length; p++) {
      resync(p);
      started[p] = logged[p].sequence();
    }
    this.recent = new RecentRecords(started, recentRecordBytes);
    this.applier = new Applier(storage, cache, state, health, pending, recent);
    this.sequencer = new Thread(this::runSequencer, "kv-sequencer");
    sequencer.setDaemon(true);
    sequencer.start();
  }

  /** From now on, writes are fenced by {@code roles} and shipped by {@code replication}. */
  void replicate(PartitionRoles roles, Replication replication) {
    this.roles = roles;
    this.replication = replication;
  }

  PartitionRoles roles() {
    return roles;
  }

  RecentRecords recent() {
    return recent;
  }

  /** Queues a command; its future completes once it is durable (and replicated), or fails. */
  void submit(PipelineCommand command) {
    KvException refusal = state.refusalAtSubmit(accepting);
    if (refusal != null) {
      command.result().completeExceptionally(refusal);
    } else if (!queue.offer(command)) {
      rejectedQueueFull.increment();
      command.result().completeExceptionally(KvException.unavailable("write queue is full"));
    } else if (!accepting && queue.remove(command)) {
      // close() began between the check and the offer and may already have drained the queue
      // for the last time; whoever takes the command out of the queue answers it, and here that
      // was us. If the sequencer or close() took it first, they answer it.
      command.result().completeExceptionally(KvException.unavailable("the node is stopping"));
    }
  }

  /**
   * Completes once every command logged before this call is applied: a member taking a partition
   * over waits for it, so its first read sees every record it had received as a replica.
   */
  CompletableFuture<Void> appliedSoFar() {
    ApplyBarrier barrier = new ApplyBarrier(new CompletableFuture<>());
    submit(barrier);
    return barrier.result();
  }

  /** Writes waiting for the sequencer or the applier. */
  int queueDepth() {
    return queue.size() + carriedCount + applier.depth();
  }

  /** Writes refused because the queue was full (503), since start. */
  long rejectedQueueFull() {
    return rejectedQueueFull.sum();
  }

  /** Writes refused because the disk had no room for them (507), since start. */
  long rejectedNoSpace() {
    return state.rejectedNoSpace();
  }

  private void runSequencer() {
    while (accepting || !queue.isEmpty() || !carried.isEmpty()) {
      try {
        if (carried.isEmpty()) {
          PipelineCommand first = queue.poll(50, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          carried.add(first);
        }
        queue.drainTo(carried, MAX_BATCH - carried.size());
        List<PipelineCommand> batch = nextBatch();
        List<PipelineCommand> work =
            batch.stream().filter(command -> !(command instanceof ApplyBarrier)).toList();
        if (!work.isEmpty()) {
          process(work);
        }
        // After the batch they arrived with, so they wait for all of it.
        for (PipelineCommand command : batch) {
          if (command instanceof ApplyBarrier barrier) {
            applier.barrier(barrier.result());
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The carried commands up to {@link #MAX_BATCH} of them or {@link #MAX_BATCH_BYTES}. */
  private List<PipelineCommand> nextBatch() {
    List<PipelineCommand> batch = new ArrayList<>(Math.min(carried.size(), MAX_BATCH));
    long bytes = 0;
    while (!carried.isEmpty() && batch.size() < MAX_BATCH && bytes < MAX_BATCH_BYTES) {
      PipelineCommand command = carried.poll();
      bytes += command.bytes();
      batch.add(command);
    }
    carriedCount = carried.size();
    return batch;
  }

  /** Sequences, logs and hands on one batch; answers every command whatever happens. */
  private void process(List<PipelineCommand> commands) {
    KvException refusal = state.refusalOfBatch();
    if (refusal != null) {
      commands.forEach(command -> command.result().completeExceptionally(refusal));
      return;
    }
    for (int partition : applier.takeLostPartitions()) {
      resync(partition);
      recent.forget(partition, logged[partition].sequence());
      applier.resynced(partition);
    }
    for (Integer partition : installed) {
      installed.remove(partition);
      resync(partition);
    }
    SequencedBatch batch = new SequencedBatch();
    boolean logging = false;
    try {
      for (PipelineCommand command : commands) {
        batch.entries.add(sequenceOne(command, batch));
      }
      WriteBatch writes = batch.writeBatch();
      if (writes != null) {
        storage.reserve(writes);
      }
      logging = true;
      // Always commit, even for a batch of rejections: their answers may describe earlier
      // writes, so they must not be sent before those writes are durable.
      log.commitNow();
      for (Sequenced entry : batch.entries) {
        entry.pending().forEach(PendingVersions::logged);
      }
      batch.records.forEach(recent::add);
      CompletableFuture<Set<Integer>> replicated =
          batch.shipped.isEmpty()
              ? CompletableFuture.completedFuture(Set.of())
              : replication.ship(batch.shipped);
      // Handed to the applier before the records are answered: whoever asks for appliedSoFar()
      // once they are answered must find its barrier behind them. Shipped records are answered
      // now: durable here is all their primary waits for.
      applier.enqueue(new Applier.Logged(batch.entries, writes, replicated));
      for (Sequenced entry : batch.entries) {
        if (entry.command() instanceof RecordsCommand records) {
          if (entry.rejection() == null) {
            records.result().complete(null);
          } else {
            records.result().completeExceptionally(entry.rejection());
          }
        }
      }
    } catch (NoSpaceException e) {
      // From the engine's reservation or the op log's: either way nothing of the batch is logged.
      rollBack(batch);
      state.refuseForSpace(e, commands);
    } catch (Throwable e) {
      if (logging) {
        state.failWritePath(e, commands);
      } else {
        // Nothing reached a file: refuse this batch and carry on with the next.
        rollBack(batch);
        LOG.log(Level.ERROR, "write batch failed before it was logged; refused", e);
        KvException failed = KvException.internal("write failed: " + e);
        commands.forEach(command -> command.result().completeExceptionally(failed));
      }
    }
  }

  /**
   * Takes the partition's sequence from the engine again: after it lost the partition as primary
   * with writes unacknowledged (forgotten), or after a copy from its primary replaced it.
   */
  private void resync(int partition) {
    logged[partition] = storage.history(partition);
  }

  /**
   * A copy of {@code partition} from its primary replaced what this node held: the sequencer takes
   * the partition's sequence from the engine before the next batch. The caller submits nothing for
   * the partition until this returns.
   */
  void installed(int partition) {
    recent.reset(partition, storage.history(partition).sequence());
    installed.add(partition);
  }

  private void rollBack(SequencedBatch batch) {
    log.discardUncommitted();
    batch.historiesBefore.forEach((partition, before) -> logged[partition] = before);
    for (int i = batch.entries.size() - 1; i >= 0; i--) {
      Sequenced entry = batch.entries.get(i);
      for (int j = entry.pending().size() - 1; j >= 0; j--) {
        pending.rollBack(entry.pendingKeys().get(j), entry.pending().get(j));
      }
    }
  }

  /** One batch as it is sequenced: its entries, mutations and records, and how to undo it. */
  private static final class SequencedBatch {
    final List<Sequenced> entries = new ArrayList<>();
    final List<Mutation> mutations = new ArrayList<>();
    final List<LogRecord> records = new ArrayList<>();
    final List<LogRecord> shipped = new ArrayList<>();

    /** Per partition touched, its logged history before the batch. */
    final Map<Integer, PartitionHistory> historiesBefore = new HashMap<>();

    long through;

    WriteBatch writeBatch() {
      return mutations.isEmpty() ? null : new WriteBatch(mutations, through);
    }
  }

  /** The command's outcome; a failure that concerns it alone rejects it alone. */
  private Sequenced sequenceOne(PipelineCommand command, SequencedBatch batch) {
    try {
      return command instanceof WriteCommand write
          ? check(write, batch)
          : take((RecordsCommand) command, batch);
    } catch (KvException e) {
      return Sequenced.rejected(command, e);
    } catch (IOException | RuntimeException e) {
      // Thrown before its record reached the log (a read of its version, encoding, framing):
      // this write fails, the others go on.
      LOG.log(Level.ERROR, "write failed before it was logged", e);
      return Sequenced.rejected(command, KvException.internal("write failed: " + e));
    }
  }

  private Sequenced check(WriteCommand command, SequencedBatch batch) throws IOException {
    int partition = command.partition();
    long epoch = roles.servingEpoch(partition);
    if (epoch < 0) {
      return Sequenced.rejected(
          command, KvException.notPrimary("this node does not serve partition " + partition));
    }
    KvException damaged = health.refusal(partition);
    long current = 0;
    try {
      current = damaged != null ? 0 : currentVersion(command);
    } catch (StorageCorruptException e) {
      damaged = health.damaged(e);
    }
    if (damaged != null) {
      // Nothing is logged for a damaged partition: it takes no write until it is repaired.
      return Sequenced.rejected(command, damaged);
    }
    boolean corrupt = current == CORRUPT;
    if (corrupt && !command.precondition().equals(Precondition.NONE)) {
      // The version is unknowable, so no condition on it can be checked. An unconditional write
      // still goes ahead: it replaces (or deletes) the unreadable value, restarting at version 1.
      return Sequenced.rejected(
          command, KvException.corrupt("the stored value of '" + command.key() + "' is corrupt"));
    }
    if (!corrupt && !command.precondition().allows(current)) {
      return Sequenced.rejected(command, KvException.versionMismatch(current));
    }
    if (command.isDelete() && current == 0) {
      return Sequenced.rejected(command, KvException.notFound());
    }
    long version = command.isDelete() ? 0 : corrupt ? 1 : current + 1;
    byte[] stored = command.isDelete() ? null : codec.encode(version, command.value());
    Sequenced entry = new Sequenced(command, null, version, new ArrayList<>(1), new ArrayList<>(1));
    LogRecord record =
        append(batch, entry, partition, epoch, command.key().text(), command.key().utf8(), stored);
    batch.shipped.add(record);
    return entry;
  }

  /** Takes a primary's records whole, or refuses them whole: a replica never keeps a gap. */
  private Sequenced take(RecordsCommand command, SequencedBatch batch) throws IOException {
    List<LogRecord> fresh = new ArrayList<>(command.records().size());
    Map<Integer, Long> expected = new HashMap<>();
    for (LogRecord record : command.records()) {
      int partition = record.partition();
      Long fence = command.fences().get(partition);
      if (fence == null || !roles.acceptsRecords(partition, fence)) {
        return Sequenced.rejected(
            command,
            KvException.conflict(
                "stale_epoch",
                "partition "
                    + partition
                    + " has a newer primary than the one of leader epoch "
                    + fence));
      }
      KvException damaged = health.refusal(partition);
      if (damaged != null) {
        return Sequenced.rejected(command, damaged);
      }
      long last = expected.getOrDefault(partition, logged[partition].sequence());
      if (record.sequence() <= last) {
        if (expected.containsKey(partition)
            || logged[partition].contains(record.epoch(), record.sequence())) {
          continue;
        }
        // The same place in the history holds another record here: one its old primary never got
        // acknowledged. Refused, so the primary drops this copy from the in-sync set and it
        // catches up by snapshot (its history no longer matches the primary's).
        return Sequenced.rejected(
            command,
            KvException.conflict(
                "diverged",
                "partition "
                    + partition
                    + " holds another record at sequence "
                    + record.sequence()
                    + " here"));
      }
      if (record.sequence() != last + 1) {
        return Sequenced.rejected(
            command,
            KvException.conflict(
                "sequence_gap",
                "partition "
                    + partition
                    + " holds sequences up to "
                    + last
                    + " here; got "
                    + record.sequence()));
      }
      expected.put(partition, record.sequence());
      fresh.add(record);
    }
    Sequenced entry =
        new Sequenced(command, null, 0, new ArrayList<>(fresh.size()), new ArrayList<>());
    for (LogRecord record : fresh) {
      appendStamped(
          batch,
          entry,
          record.partition(),
          record.epoch(),
          record.sequence(),
          new String(record.key(), StandardCharsets.UTF_8),
          record.key(),
          record.value());
    }
    return entry;
  }

  private LogRecord append(
      SequencedBatch batch,
      Sequenced entry,
      int partition,
      long epoch,
      String keyText,
      byte[] key,
      byte[] stored)
      throws IOException {
    return appendStamped(
        batch, entry, partition, epoch, logged[partition].sequence() + 1, keyText, key, stored);
  }

  private LogRecord appendStamped(
      SequencedBatch batch,
      Sequenced entry,
      int partition,
      long epoch,
      long sequence,
      String keyText,
      byte[] key,
      byte[] stored)
      throws IOException {
    LogOp op = stored == null ? LogOp.DELETE : LogOp.PUT;
    long position = log.append(partition, epoch, sequence, op, key, stored);
    batch.historiesBefore.putIfAbsent(partition, logged[partition]);
    logged[partition] = logged[partition].advance(epoch, sequence);
    LogRecord record = new LogRecord(position, partition, epoch, sequence, op, key, stored);
    Mutation mutation =
        (stored == null ? Mutation.delete(partition, key) : Mutation.put(partition, key, stored))
            .stamped(epoch, sequence);
    batch.mutations.add(mutation);
    batch.records.add(record);
    batch.through = position;
    entry.pendingKeys().add(keyText);
    entry.pending().add(pending.record(keyText, stored == null ? 0 : ValueCodec.version(stored)));
    return record;
  }

  private long currentVersion(WriteCommand command) {
    Long logged = pending.version(command.key().text());
    if (logged != null) {
      return logged;
    }
    VersionedValue cached = cache.getIfPresent(command.key().text());
    if (cached != null) {
      return cached.version();
    }
    byte[] stored = storage.get(command.partition(), command.key().utf8());
    if (stored == null) {
      return 0;
    }
    try {
      return codec.decode(stored).version();
    } catch (CorruptValueException e) {
      return CORRUPT;
    }
  }

  /** Stops accepting, finishes every queued write (durable and applied), then stops the threads. */
  @Override
  public void close() {
    accepting = false;
    try {
      sequencer.join();
      // A submit that saw "accepting" just before it turned false may have queued after the
      // sequencer's last look; it is refused rather than left unanswered (and one that queues
      // after this drain refuses itself, see submit).
      for (PipelineCommand late = queue.poll(); late != null; late = queue.poll()) {
        late.result().completeExceptionally(KvException.unavailable("the node is stopping"));
      }
      applier.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
