package io.samzakv.store;

import io.samzakv.disk.NoSpaceException;
import io.samzakv.kv.KvException;
import io.samzakv.kv.WriteResult;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.WriteBatch;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The second half of the write path: takes logged batches in log order, waits until their records
 * are on every in-sync replica, applies them to the engine in one transaction each, and only then
 * answers their writes. Readers never see a write before it is durable and replicated: the engine
 * only receives it here, and the cache only ever holds what a read loaded from the engine.
 *
 * <p>A batch whose partition this node lost as primary while its records travelled (a newer primary
 * was installed) applies without them and answers them 503 "outcome unknown": they may survive on a
 * replica that was promoted, or not. The sequencer forgets them ({@link #takeLostPartitions}).
 * Every later batch the sequencer logged before it forgot them was sequenced on top of them, so
 * their partition is lost in those too, whatever their replication says, until the sequencer's
 * {@link #resynced} mark: applying one would leave a hole in the partition's history.
 *
 * <p>Thread contract: {@link #enqueue} from the sequencer; its own thread does the rest.
 */
final class Applier implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Applier.class.getName());

  /** How often a logged batch that the engine had no room for is tried again. */
  private static final long APPLY_RETRY_MILLIS = 1000;

  /** A batch the sequencer logged: its entries, what the engine applies, and its replication. */
  record Logged(
      List<Sequenced> entries, WriteBatch writes, CompletableFuture<Set<Integer>> replicated) {}

  /** Completes the future once every batch queued before it is applied. */
  private record Barrier(CompletableFuture<Void> reached) {}

  /**
   * The sequencer took the partition's sequence from the engine again: later batches build on it.
   */
  private record Resynced(int partition) {}

  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final StorageEngine storage;
  private final ValueCache cache;
  private final WritePathState state;
  private final PartitionHealth health;
  private final PendingVersions pending;
  private final RecentRecords recent;
  private final Set<Integer> lostPartitions = ConcurrentHashMap.newKeySet();

  /** Partitions lost until their {@link Resynced} mark comes through; applier thread only. */
  private final Set<Integer> lostUntilResynced = new HashSet<>();

  private final Thread thread;
  private volatile boolean closing;

  Applier(
      StorageEngine storage,
      ValueCache cache,
      WritePathState state,
      PartitionHealth health,
      PendingVersions pending,
      RecentRecords recent) {
    this.storage = storage;
    this.cache = cache;
    this.state = state;
    this.health = health;
    this.pending = pending;
    this.recent = recent;
    this.thread = new Thread(this::run, "kv-applier");
    thread.setDaemon(true);
    thread.start();
  }

  void enqueue(Logged batch) {
    queue.add(batch);
  }

  /** Completes {@code reached} once every batch enqueued before it is processed. */
  void barrier(CompletableFuture<Void> reached) {
    queue.add(new Barrier(reached));
  }

  int depth() {
    return queue.size();
  }

  /**
   * Marks where the sequencer resynced {@code partition} after taking it from {@link
   * #takeLostPartitions}: the batches queued from now on no longer build on its lost records.
   */
  void resynced(int partition) {
    queue.add(new Resynced(partition));
  }

  /** Partitions lost with writes in flight since the last call; the sequencer forgets those. */
  Set<Integer> takeLostPartitions() {
    if (lostPartitions.isEmpty()) {
      return Set.of();
    }
    Set<Integer> taken = new HashSet<>(lostPartitions);
    lostPartitions.removeAll(taken);
    return taken;
  }

  private void run() {
    while (!closing || !queue.isEmpty()) {
      try {
        Object next = queue.poll(50, TimeUnit.MILLISECONDS);
        if (next instanceof Barrier barrier) {
          barrier.reached().complete(null);
        } else if (next instanceof Resynced resynced) {
          lostUntilResynced.remove(resynced.partition());
        } else if (next instanceof Logged batch) {
          process(batch);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void process(Logged batch) throws InterruptedException {
    List<PipelineCommand> commands = batch.entries().stream().map(Sequenced::command).toList();
    if (state.failed()) {
      forget(batch);
      KvException refusal = state.failedStore();
      answerUnanswered(commands, refusal);
      return;
    }
    Set<Integer> lost = replicated(batch);
    try {
      WriteBatch writes = without(batch.writes(), lost);
      Set<Integer> leftOut = writes == null ? Set.of() : applyOnceRoomIsFound(writes, commands);
      if (leftOut == null) {
        forget(batch);
        return;
      }
      if (batch.writes() != null) {
        recent.applied(batch.writes().appliedThrough());
        state.spaceFound();
      }
      answer(batch.entries(), leftOut, lost);
    } catch (Throwable e) {
      forget(batch);
      state.failWritePath(e, unanswered(commands));
    }
  }

  /** Waits for the batch's replicas; the partitions whose writes must not be acknowledged. */
  private Set<Integer> replicated(Logged batch) throws InterruptedException {
    try {
      return lose(batch.replicated().get());
    } catch (ExecutionException e) {
      // Replication itself broke: none of the batch's own writes may be acknowledged.
      LOG.log(Level.ERROR, "replication of a write batch failed", e.getCause());
      Set<Integer> all = new HashSet<>();
      for (Sequenced entry : batch.entries()) {
        if (entry.command() instanceof WriteCommand write && entry.rejection() == null) {
          all.add(write.partition());
        }
      }
      return lose(all);
    }
  }

  /**
   * The partitions lost in a batch: those its replication names and those still lost from an
   * earlier batch. Only newly lost ones are handed to the sequencer: a second resync while the
   * batches of the first one are not applied yet would hand their sequences out again.
   */
  private Set<Integer> lose(Set<Integer> named) {
    for (int partition : named) {
      if (lostUntilResynced.add(partition)) {
        lostPartitions.add(partition);
      }
    }
    return lostUntilResynced.isEmpty() ? named : Set.copyOf(lostUntilResynced);
  }

  private static WriteBatch without(WriteBatch writes, Set<Integer> lost) {
    if (writes == null || lost.isEmpty()) {
      return writes;
    }
    List<Mutation> kept = new ArrayList<>(writes.mutations().size());
    for (Mutation mutation : writes.mutations()) {
      if (!lost.contains(mutation.partition())) {
        kept.add(mutation);
      }
    }
    // The applied position still moves past the dropped records: they must never be replayed.
    return new WriteBatch(kept, writes.appliedThrough());
  }

  /**
   * Applies a logged batch, leaving out the partitions found damaged, and returns those (their
   * writes are logged but neither applied nor acknowledged). The room was reserved before logging,
   * so the engine should not run out; if its estimate fell short and the disk has no more, the
   * batch cannot be refused any more (it is in the log, and a restart would apply it), so it is
   * tried again every second until the engine finds room, while new writes are refused with 507 at
   * once. Returns null when the node stopped first: the batch's commands are then answered 503,
   * their writes applied at the next start.
   */
  private Set<Integer> applyOnceRoomIsFound(WriteBatch batch, List<PipelineCommand> commands)
      throws InterruptedException {
    while (true) {
      try {
        Set<Integer> leftOut = health.applyHealthy(storage, batch);
        state.stalled(false);
        return leftOut;
      } catch (NoSpaceException e) {
        state.raiseNoSpace("a logged write batch waits for disk space: " + e.getMessage());
        state.stalled(true);
        if (closing) {
          // Terminal: a later batch applied now would move LMDB's applied position past this one,
          // and the next start would never replay it; nothing is applied after it.
          state.stopBehind("stopped while a logged write waited for disk space");
          answerUnanswered(
              commands,
              KvException.unavailable(
                  "the node stopped before it found disk space for this write; it is in the op"
                      + " log and is applied when the node starts again"));
          return null;
        }
        Thread.sleep(APPLY_RETRY_MILLIS);
      }
    }
  }

  private void answer(List<Sequenced> entries, Set<Integer> leftOut, Set<Integer> lost) {
    for (Sequenced entry : entries) {
      if (!(entry.command() instanceof WriteCommand command)) {
        invalidate(entry);
        forget(entry);
        continue;
      }
      if (lost.contains(command.partition())) {
        // Rejections too: a 412 or 404 may describe a write of the lost batch, which never was.
        command
            .result()
            .completeExceptionally(
                KvException.notPrimary(
                    "this node lost partition "
                        + command.partition()
                        + " to a new primary before the write reached its replicas; its outcome"
                        + " is unknown"));
      } else if (entry.rejection() != null) {
        command.result().completeExceptionally(entry.rejection());
      } else if (leftOut.contains(command.partition())) {
        // Found damaged while applying: logged but not applied, and not acknowledged.
        command.result().completeExceptionally(health.refusal(command.partition()));
      } else {
        String key = command.key().text();
        // Dropped, not replaced: putting the new value into a long-lived cache entry stores a
        // pointer from the old generation to a young object on every write, and under a
        // write-heavy load G1's young pauses grew to 15-20 ms scanning those cards and copying the
        // values (most of PUT's p99). The next read loads the value from LMDB and caches it.
        cache.invalidate(key);
        command.result().complete(new WriteResult(key, entry.version()));
      }
      // Only now: until the cache no longer holds the key's older value, the sequencer must find
      // the new version among the pending ones.
      forget(entry);
    }
  }

  /** Drops the keys of shipped records from the cache (a replica that served them as primary). */
  private void invalidate(Sequenced entry) {
    entry.pendingKeys().forEach(cache::invalidate);
  }

  private void forget(Logged batch) {
    batch.entries().forEach(this::forget);
  }

  private void forget(Sequenced entry) {
    for (int i = 0; i < entry.pending().size(); i++) {
      pending.applied(entry.pendingKeys().get(i), entry.pending().get(i));
    }
  }

  /** The commands not answered yet: shipped records were answered once durable. */
  private static List<PipelineCommand> unanswered(List<PipelineCommand> commands) {
    return commands.stream().filter(command -> !command.result().isDone()).toList();
  }

  private static void answerUnanswered(List<PipelineCommand> commands, KvException refusal) {
    unanswered(commands).forEach(command -> command.result().completeExceptionally(refusal));
  }

  /** Applies every batch already handed over, then stops the thread. */
  @Override
  public void close() throws InterruptedException {
    closing = true;
    thread.join();
  }
}
