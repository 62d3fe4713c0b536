package io.samzakv.store;

import io.samzakv.codec.CorruptValueException;
import io.samzakv.codec.ValueCodec;
import io.samzakv.disk.NoSpaceException;
import io.samzakv.kv.Alarms;
import io.samzakv.kv.Alarms.Alarm;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.VersionedValue;
import io.samzakv.kv.WriteResult;
import io.samzakv.oplog.LogOp;
import io.samzakv.oplog.OpLog;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.StorageCorruptException;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.WriteBatch;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Serializes every write of this node's partitions and acknowledges it only once it is durable.
 *
 * <p>One <em>sequencer</em> thread takes the commands queued at that moment (a bounded batch),
 * checks each against the key's latest version (earlier writes of the same batch included), encodes
 * and appends the accepted ones to the op log, reserves the engine's room for them and commits them
 * itself ({@link OpLog#commitNow}: with {@code fsync=always}, one fsync for the whole batch). It
 * then <em>applies</em> the batch: writes it to the storage engine in one transaction, drops its
 * keys from the cache and completes its commands. Readers never see a write before it is durable:
 * the engine only receives it when applied, and the cache only ever holds what a read loaded from
 * the engine.
 *
 * <p>Group commit needs no timer and no second thread: while the sequencer is inside one fsync the
 * next batch queues up, so under load each fsync covers every write that arrived meanwhile. Doing
 * the fsync and the apply on the sequencer, rather than handing each batch to a sync thread and an
 * applier thread, costs a little overlap and saves two thread wake-ups per batch; on a busy machine
 * each wake-up is a wait for a core, and that wait was a large part of PUT's p99.
 *
 * <p>Failures are kept as small as the state allows. A command that fails before its record is
 * logged (a version it cannot read, a value it cannot encode or frame) fails alone. A batch for
 * which the disk has no room, in the op log or in the engine, is refused whole with 507 before any
 * of it is logged ({@link Alarm#NO_SPACE}, cleared by the next batch that gets its room). Only a
 * failure that may have left the log and the engine out of step (a write into the log or an fsync
 * that failed, an engine write that failed after its records were logged) stops all writes until a
 * restart replays the log: {@link Alarm#WRITE_PATH_FAILED}, every later write 503. The sequencer
 * catches everything per batch, answers every command and goes on, so no write waits forever.
 *
 * <p>Applies run in log order on one thread, so the engine sees one writer at a time as its
 * contract asks.
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

  /** How often a logged batch that the engine had no room for is tried again. */
  private static final long APPLY_RETRY_MILLIS = 1000;

  /** {@link #currentVersion} of a key whose stored value fails its checksum. */
  private static final long CORRUPT = -1;

  /** An accepted write: the version it gives its key and its op-log position. */
  private record Accepted(long version, long position) {}

  /** A command after sequencing: rejected, or accepted with its log record. */
  private record Sequenced(
      WriteCommand command, KvException rejection, Mutation mutation, Accepted accepted) {

    static Sequenced rejected(WriteCommand command, KvException rejection) {
      return new Sequenced(command, rejection, null, null);
    }
  }

  private final BlockingQueue<WriteCommand> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);

  /** Commands taken from the queue that did not fit into the last batch; sequencer only. */
  private final ArrayDeque<WriteCommand> carried = new ArrayDeque<>();

  /** {@code carried.size()} for other threads. */
  private volatile int carriedCount;

  private final OpLog log;
  private final StorageEngine storage;
  private final ValueCache cache;
  private final ValueCodec codec;
  private final Alarms alarms;
  private final PartitionHealth health;
  private final Thread sequencer;
  private final LongAdder rejectedQueueFull = new LongAdder();
  private final LongAdder rejectedNoSpace = new LongAdder();
  private volatile boolean accepting = true;
  private volatile Throwable failure;

  /** True while a logged batch waits for the engine to get room: new writes are refused at once. */
  private volatile boolean stalledForSpace;

  WritePipeline(
      OpLog log,
      StorageEngine storage,
      ValueCache cache,
      ValueCodec codec,
      Alarms alarms,
      PartitionHealth health) {
    this.log = log;
    this.storage = storage;
    this.cache = cache;
    this.codec = codec;
    this.alarms = alarms;
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
    } else if (stalledForSpace) {
      rejectedNoSpace.increment();
      command.result().completeExceptionally(noSpace("earlier writes are waiting for disk space"));
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

  /** Writes waiting for the sequencer. */
  int queueDepth() {
    return queue.size() + carriedCount;
  }

  /** Writes refused because the queue was full (503), since start. */
  long rejectedQueueFull() {
    return rejectedQueueFull.sum();
  }

  /** Writes refused because the disk had no room for them (507), since start. */
  long rejectedNoSpace() {
    return rejectedNoSpace.sum();
  }

  private void runSequencer() {
    while (accepting || !queue.isEmpty() || !carried.isEmpty()) {
      try {
        if (carried.isEmpty()) {
          WriteCommand first = queue.poll(50, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          carried.add(first);
        }
        queue.drainTo(carried, MAX_BATCH - carried.size());
        process(nextBatch());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The carried commands up to {@link #MAX_BATCH} of them or {@link #MAX_BATCH_BYTES}. */
  private List<WriteCommand> nextBatch() {
    List<WriteCommand> batch = new ArrayList<>(Math.min(carried.size(), MAX_BATCH));
    long bytes = 0;
    while (!carried.isEmpty() && batch.size() < MAX_BATCH && bytes < MAX_BATCH_BYTES) {
      WriteCommand command = carried.poll();
      bytes += command.key().utf8().length + (command.isDelete() ? 0 : command.value().length);
      batch.add(command);
    }
    carriedCount = carried.size();
    return batch;
  }

  /** Sequences, logs, applies and answers one batch; answers every command whatever happens. */
  private void process(List<WriteCommand> commands) {
    if (failure != null) {
      KvException refusal = failedStore();
      commands.forEach(command -> command.result().completeExceptionally(refusal));
      return;
    }
    boolean logging = false;
    try {
      List<Sequenced> entries = sequence(commands);
      WriteBatch batch = accepted(entries);
      if (batch != null) {
        storage.reserve(batch);
      }
      logging = true;
      // Always commit, even for a batch of rejections: their answers may describe earlier
      // writes of this batch, so they must not be sent before those writes are durable.
      log.commitNow();
      Set<Integer> leftOut = batch == null ? Set.of() : applyOnceRoomIsFound(batch, commands);
      if (leftOut == null) {
        return;
      }
      // Cleared before answering: whoever sees this write acknowledged must not see the alarm.
      if (batch != null && alarms.isRaised(Alarm.NO_SPACE)) {
        alarms.clear(Alarm.NO_SPACE);
      }
      answer(entries, leftOut);
    } catch (NoSpaceException e) {
      // From the engine's reservation or the op log's: either way nothing of the batch is logged.
      log.discardUncommitted();
      refuseForSpace(e, commands);
    } catch (Throwable e) {
      if (logging) {
        failWritePath(e, commands);
      } else {
        // Nothing reached a file: refuse this batch and carry on with the next.
        log.discardUncommitted();
        LOG.log(Level.ERROR, "write batch failed before it was logged; refused", e);
        KvException refusal = KvException.internal("write failed: " + e);
        commands.forEach(command -> command.result().completeExceptionally(refusal));
      }
    }
  }

  private List<Sequenced> sequence(List<WriteCommand> commands) {
    List<Sequenced> entries = new ArrayList<>(commands.size());
    // A batch is sequenced, committed and applied before the next one starts, so the only writes
    // a command must build on that the engine has not seen yet are the earlier ones of its batch.
    Map<String, Long> batchVersions = new HashMap<>();
    for (WriteCommand command : commands) {
      entries.add(sequenceOne(command, batchVersions));
    }
    return entries;
  }

  /** The command's outcome; a failure that concerns it alone rejects it alone. */
  private Sequenced sequenceOne(WriteCommand command, Map<String, Long> batchVersions) {
    try {
      return check(command, batchVersions);
    } catch (KvException e) {
      return Sequenced.rejected(command, e);
    } catch (IOException | RuntimeException e) {
      // Thrown before its record reached the log (a read of its version, encoding, framing):
      // this write fails, the others go on.
      LOG.log(Level.ERROR, "write of key '" + command.key() + "' failed", e);
      return Sequenced.rejected(command, KvException.internal("write failed: " + e));
    }
  }

  private Sequenced check(WriteCommand command, Map<String, Long> batchVersions)
      throws IOException {
    KvException damaged = health.refusal(command.partition());
    long current = 0;
    try {
      current = damaged != null ? 0 : currentVersion(command, batchVersions);
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

  /** The accepted writes as one engine batch through the last one's position, or null if none. */
  private static WriteBatch accepted(List<Sequenced> entries) {
    List<Mutation> mutations = new ArrayList<>(entries.size());
    long through = 0;
    for (Sequenced entry : entries) {
      if (entry.mutation() != null) {
        mutations.add(entry.mutation());
        through = entry.accepted().position();
      }
    }
    return mutations.isEmpty() ? null : new WriteBatch(mutations, through);
  }

  /**
   * Applies a logged batch, leaving out the partitions found damaged, and returns those (their
   * writes are logged but neither applied nor acknowledged). The room was reserved before logging,
   * so the engine should not run out; if its estimate fell short and the disk has no more, the
   * batch cannot be refused any more (it is in the log, and a restart would apply it), so it is
   * tried again every second until the engine finds room, while the writes queued behind it and new
   * ones are refused with 507 at once (none of them is logged yet). Returns null when the node
   * stopped first: the batch's commands are then answered 503, their writes applied at the next
   * start.
   */
  private Set<Integer> applyOnceRoomIsFound(WriteBatch batch, List<WriteCommand> commands)
      throws InterruptedException {
    while (true) {
      try {
        Set<Integer> leftOut = health.applyHealthy(storage, batch);
        stalledForSpace = false;
        return leftOut;
      } catch (NoSpaceException e) {
        alarms.raise(
            Alarm.NO_SPACE, "a logged write batch waits for disk space: " + e.getMessage());
        stalledForSpace = true;
        refuseWaiting(e);
        if (!accepting) {
          // Terminal: a later batch applied now would move LMDB's applied position past this one,
          // and the next start would never replay it; nothing is sequenced after it.
          failure = new IllegalStateException("stopped while a logged write waited for disk space");
          KvException stopping =
              KvException.unavailable(
                  "the node stopped before it found disk space for this write; it is in the op"
                      + " log and is applied when the node starts again");
          commands.forEach(command -> command.result().completeExceptionally(stopping));
          return null;
        }
        Thread.sleep(APPLY_RETRY_MILLIS);
      }
    }
  }

  private void answer(List<Sequenced> entries, Set<Integer> leftOut) {
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

  /** Refuses a whole batch, none of it logged, because the disk had no room for it. */
  private void refuseForSpace(NoSpaceException e, List<WriteCommand> commands) {
    alarms.raise(Alarm.NO_SPACE, e.getMessage());
    rejectedNoSpace.add(commands.size());
    KvException refusal = noSpace(e.getMessage());
    commands.forEach(command -> command.result().completeExceptionally(refusal));
  }

  /** Answers the writes queued behind a stalled batch: waiting for space has no bound. */
  private void refuseWaiting(NoSpaceException e) {
    List<WriteCommand> waiting = new ArrayList<>(carried);
    carried.clear();
    carriedCount = 0;
    queue.drainTo(waiting);
    if (!waiting.isEmpty()) {
      refuseForSpace(e, waiting);
    }
  }

  private static KvException noSpace(String why) {
    return KvException.noSpace(
        "no disk space for this write ("
            + why
            + "); reads still work, writes resume once space"
            + " is freed");
  }

  /**
   * A failure that may have left the op log and the engine out of step; only a restart (which
   * replays the log) brings them back, so the pipeline refuses every later write instead of
   * guessing.
   */
  private void failWritePath(Throwable error, List<WriteCommand> commands) {
    if (failure == null) {
      failure = error;
      LOG.log(Level.ERROR, "write path failed; refusing writes until restart", error);
      alarms.raise(Alarm.WRITE_PATH_FAILED, error.toString());
    }
    KvException refusal = failedStore();
    commands.forEach(command -> command.result().completeExceptionally(refusal));
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
