package io.samzakv.store;

import io.samzakv.codec.CorruptValueException;
import io.samzakv.codec.ValueCodec;
import io.samzakv.codec.VersionedValue;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.WriteResult;
import io.samzakv.oplog.LogOp;
import io.samzakv.oplog.OpLog;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.StorageCorruptException;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.WriteBatch;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Serializes every write of this node's partitions and acknowledges it only once it is durable.
 *
 * <p>One <em>sequencer</em> thread takes every command queued at that moment, checks each against
 * the key's latest version (earlier writes of the same batch included), encodes and appends the
 * accepted ones to the op log and commits them itself ({@link OpLog#commitNow}: with {@code
 * fsync=always}, one fsync for the whole batch). It then <em>applies</em> the batch: writes it to
 * the storage engine in one transaction, drops its keys from the cache and completes its commands.
 * Readers never see a write before it is durable: the engine only receives it when applied, and the
 * cache only ever holds what a read loaded from the engine.
 *
 * <p>Group commit needs no timer and no second thread: while the sequencer is inside one fsync the
 * next batch queues up, so under load each fsync covers every write that arrived meanwhile. Doing
 * the fsync and the apply on the sequencer, rather than handing each batch to a sync thread and an
 * applier thread, costs a little overlap and saves two thread wake-ups per batch; on a busy machine
 * each wake-up is a wait for a core, and that wait was a large part of PUT's p99.
 *
 * <p>Applies run in log order on one thread, so the engine sees one writer at a time as its
 * contract asks.
 *
 * <p>Thread contract: {@link #submit} from any thread; the rest runs on the sequencer.
 */
final class WritePipeline implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(WritePipeline.class.getName());
  private static final int QUEUE_CAPACITY = 65_536;
  private static final int MAX_BATCH = 1024;

  /** {@link #currentVersion} of a key whose stored value fails its checksum. */
  private static final long CORRUPT = -1;

  /** An accepted write: the version it gives its key and its op-log position. */
  private record Accepted(long version, long position) {}

  /** A command after sequencing: rejected, or accepted with its log record. */
  private record Sequenced(
      WriteCommand command, KvException rejection, Mutation mutation, Accepted accepted) {}

  private final BlockingQueue<WriteCommand> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final OpLog log;
  private final StorageEngine storage;
  private final ValueCache cache;
  private final ValueCodec codec;
  private final PartitionHealth health;
  private final Thread sequencer;
  private volatile boolean accepting = true;
  private volatile Throwable failure;

  WritePipeline(
      OpLog log,
      StorageEngine storage,
      ValueCache cache,
      ValueCodec codec,
      PartitionHealth health) {
    this.log = log;
    this.storage = storage;
    this.cache = cache;
    this.codec = codec;
    this.health = health;
    this.sequencer = new Thread(this::runSequencer, "kv-sequencer");
    sequencer.setDaemon(true);
    sequencer.start();
  }

  /** Queues a write; its future completes once the write is durable, or fails. */
  void submit(WriteCommand command) {
    if (failure != null) {
      command.result().completeExceptionally(failedStore());
    } else if (!accepting) {
      command.result().completeExceptionally(KvException.unavailable("the node is stopping"));
    } else if (!queue.offer(command)) {
      command.result().completeExceptionally(KvException.unavailable("write queue is full"));
    } else if (!accepting && queue.remove(command)) {
      // close() began between the check and the offer and may already have drained the queue
      // for the last time; whoever takes the command out of the queue answers it, and here that
      // was us. If the sequencer or close() took it first, they answer it.
      command.result().completeExceptionally(KvException.unavailable("the node is stopping"));
    }
  }

  private void runSequencer() {
    List<WriteCommand> batch = new ArrayList<>(MAX_BATCH);
    while (accepting || !queue.isEmpty()) {
      try {
        WriteCommand first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        sequence(List.copyOf(batch));
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void sequence(List<WriteCommand> commands) {
    List<Sequenced> entries = new ArrayList<>(commands.size());
    // A batch is sequenced, committed and applied before the next one starts, so the only writes
    // a command must build on that the engine has not seen yet are the earlier ones of its batch.
    Map<String, Long> batchVersions = new HashMap<>();
    long through = 0;
    try {
      for (WriteCommand command : commands) {
        Sequenced entry = sequenceOne(command, batchVersions);
        entries.add(entry);
        if (entry.accepted() != null) {
          through = entry.accepted().position();
        }
      }
    } catch (IOException | RuntimeException e) {
      fail(e, commands);
      return;
    }
    try {
      // Always commit, even for a batch of rejections: their answers may describe earlier
      // writes of this batch, so they must not be sent before those writes are durable.
      log.commitNow();
    } catch (IOException | RuntimeException e) {
      fail(e, commands);
      return;
    }
    apply(entries, through);
  }

  private Sequenced sequenceOne(WriteCommand command, Map<String, Long> batchVersions)
      throws IOException {
    if (failure != null) {
      return new Sequenced(command, failedStore(), null, null);
    }
    KvException damaged = health.refusal(command.partition());
    long current = 0;
    try {
      current = damaged != null ? 0 : currentVersion(command, batchVersions);
    } catch (StorageCorruptException e) {
      damaged = health.damaged(e);
    }
    if (damaged != null) {
      // Nothing is logged for a damaged partition: it takes no write until it is repaired.
      return new Sequenced(command, damaged, null, null);
    }
    boolean corrupt = current == CORRUPT;
    if (corrupt && !command.precondition().equals(Precondition.NONE)) {
      // The version is unknowable, so no condition on it can be checked. An unconditional write
      // still goes ahead: it replaces (or deletes) the unreadable value, restarting at version 1.
      return new Sequenced(
          command,
          KvException.corrupt("the stored value of '" + command.key() + "' is corrupt"),
          null,
          null);
    }
    if (!corrupt && !command.precondition().allows(current)) {
      return new Sequenced(command, KvException.versionMismatch(current), null, null);
    }
    if (command.isDelete() && current == 0) {
      return new Sequenced(command, KvException.notFound(), null, null);
    }
    byte[] key = command.key().utf8();
    Mutation mutation;
    long version;
    long position;
    if (command.isDelete()) {
      version = 0;
      mutation = Mutation.delete(command.partition(), key);
      position = log.append(command.partition(), LogOp.DELETE, key, null);
    } else {
      version = corrupt ? 1 : current + 1;
      byte[] stored = codec.encode(version, command.value());
      mutation = Mutation.put(command.partition(), key, stored);
      position = log.append(command.partition(), LogOp.PUT, key, stored);
    }
    batchVersions.put(command.key().text(), version);
    return new Sequenced(command, null, mutation, new Accepted(version, position));
  }

  private long currentVersion(WriteCommand command, Map<String, Long> batchVersions) {
    Long earlierInBatch = batchVersions.get(command.key().text());
    if (earlierInBatch != null) {
      return earlierInBatch;
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

  private void apply(List<Sequenced> entries, long appliedThrough) {
    List<Mutation> mutations = new ArrayList<>(entries.size());
    for (Sequenced entry : entries) {
      if (entry.mutation() != null) {
        mutations.add(entry.mutation());
      }
    }
    Set<Integer> leftOut;
    try {
      leftOut =
          mutations.isEmpty()
              ? Set.of()
              : health.applyHealthy(storage, new WriteBatch(mutations, appliedThrough));
    } catch (RuntimeException e) {
      fail(e, entries.stream().map(Sequenced::command).toList());
      return;
    }
    for (Sequenced entry : entries) {
      WriteCommand command = entry.command();
      if (entry.rejection() != null) {
        command.result().completeExceptionally(entry.rejection());
        continue;
      }
      if (leftOut.contains(command.partition())) {
        // Found damaged while applying: logged but not applied, and not acknowledged.
        command.result().completeExceptionally(health.refusal(command.partition()));
        continue;
      }
      String key = command.key().text();
      // Dropped, not replaced: putting the new value into a long-lived cache entry stores a
      // pointer from the old generation to a young object on every write, and under a write-heavy
      // load G1's young pauses grew to 15-20 ms scanning those cards and copying the values (most
      // of PUT's p99). The next read loads the value from LMDB and caches it.
      cache.invalidate(key);
      command.result().complete(new WriteResult(key, entry.accepted().version()));
    }
  }

  /**
   * An op-log or engine failure leaves the two out of step; only a restart (which replays the log)
   * brings them back, so the pipeline refuses every later write instead of guessing.
   */
  private void fail(Throwable error, List<WriteCommand> commands) {
    if (failure == null) {
      failure = error;
      LOG.log(Level.ERROR, "write path failed; refusing writes until restart", error);
    }
    commands.forEach(command -> command.result().completeExceptionally(failedStore()));
  }

  private KvException failedStore() {
    return KvException.unavailable("storage failed (" + failure + "); restart the node");
  }

  /** Stops accepting, finishes every queued write (durable and applied), then stops the thread. */
  @Override
  public void close() {
    accepting = false;
    try {
      sequencer.join();
      // A submit that saw "accepting" just before it turned false may have queued after the
      // sequencer's last look; it is refused rather than left unanswered (and one that queues
      // after this drain refuses itself, see submit).
      for (WriteCommand late = queue.poll(); late != null; late = queue.poll()) {
        late.result().completeExceptionally(KvException.unavailable("the node is stopping"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
