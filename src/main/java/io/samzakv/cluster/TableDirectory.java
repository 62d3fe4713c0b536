package io.samzakv.cluster;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * This member's view of the partition table, and the one way every member changes it.
 *
 * <p>Reading: {@link #current} is the newest table this member has adopted. It learns newer ones
 * three ways, so a lost message only delays it: the event-bus publish on {@link #ADDRESS} that
 * whoever stores a table sends, a poll of the {@link TableStore} every {@code pollInterval}, and
 * {@link #refresh} (for a peer that says this member is stale). A table is adopted only if its
 * epoch is newer, and is saved to the {@link TableFile} before {@link #current} or any listener
 * sees it, so a member never acts on a table it could forget in a crash.
 *
 * <p>Writing: {@link #change} reads the stored table, applies a function, and compare-and-sets the
 * result on the stored epoch, re-reading and re-applying when another member won the race. {@link
 * #createIfAbsent} stores the first table.
 *
 * <p>Thread contract: safe for any thread. {@link #current} never blocks. Adoptions are serialised
 * on one worker thread of the directory's own, which also calls the listeners.
 */
public final class TableDirectory implements PartitionTables {
  /** Where a member that stored a table publishes it (the table's JSON as a string). */
  public static final String ADDRESS = "kv.table";

  private static final System.Logger LOG = System.getLogger(TableDirectory.class.getName());
  private static final int MAX_ATTEMPTS = 20;
  private static final int MAX_BACKOFF_MILLIS = 20;

  private final Vertx vertx;
  private final TableStore store;
  private final TableFile file;
  private final Duration pollInterval;
  private final WorkerExecutor adoption;
  private final List<Consumer<PartitionTable>> listeners = new CopyOnWriteArrayList<>();
  private volatile PartitionTable current;

  /**
   * The table this member saved before it started: never acted on (the cluster may have moved on
   * while this member was away), only reported, and exceeded by any first table this member stores.
   */
  private final PartitionTable saved;

  private volatile MessageConsumer<Object> consumer;
  private volatile long pollTimer = -1;
  private volatile boolean closed;
  private volatile boolean pollFailing;

  private TableDirectory(
      Vertx vertx, TableStore store, TableFile file, PartitionTable saved, Duration pollInterval) {
    this.vertx = vertx;
    this.store = store;
    this.file = file;
    this.saved = saved;
    this.pollInterval = pollInterval;
    // One thread: adoptions are decided and saved one at a time, so an older table can never be
    // written over a newer one.
    this.adoption = vertx.createSharedWorkerExecutor("kv-table-adopt", 1);
  }

  /**
   * Opens the directory: reads the saved table (failing with the file's name when it is damaged),
   * listens on {@link #ADDRESS} and starts polling {@code store}. Call {@link #close} when done.
   */
  public static Future<TableDirectory> open(
      Vertx vertx, TableStore store, TableFile file, Duration pollInterval) {
    return vertx
        .executeBlocking(file::read, false)
        .map(saved -> new TableDirectory(vertx, store, file, saved, pollInterval))
        .compose(directory -> directory.listen().map(directory));
  }

  private Future<Void> listen() {
    consumer = vertx.eventBus().consumer(ADDRESS, message -> adoptPublished(message.body()));
    schedulePoll();
    return consumer.completion();
  }

  /** A table some member published, as JSON (a {@link JsonObject}, or its text). */
  private void adoptPublished(Object json) {
    PartitionTable table;
    try {
      table =
          PartitionTable.fromJson(
              json instanceof JsonObject object ? object : new JsonObject((String) json));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "ignoring a malformed table published on {0}: {1}", ADDRESS, e);
      return;
    }
    adopt(table);
  }

  private void schedulePoll() {
    if (closed) {
      return;
    }
    // A timer set after each poll completes, not a periodic one: polls never pile up behind a
    // store that is waiting out a Raft election.
    pollTimer =
        vertx.setTimer(
            pollInterval.toMillis(),
            id ->
                refresh()
                    .onComplete(
                        result -> {
                          polled(result);
                          schedulePoll();
                        }));
  }

  private void polled(AsyncResult<PartitionTable> result) {
    if (result.failed() && !pollFailing) {
      LOG.log(
          Level.WARNING, "cannot read the partition table's store: {0}", result.cause().toString());
    } else if (result.succeeded() && pollFailing) {
      LOG.log(Level.INFO, "the partition table's store answers again");
    }
    pollFailing = result.failed();
  }

  @Override
  public PartitionTable current() {
    return current;
  }

  @Override
  public Future<PartitionTable> refresh() {
    return store
        .read()
        .compose(stored -> stored == null ? Future.succeededFuture(current) : adopt(stored));
  }

  @Override
  public void onChange(Consumer<PartitionTable> listener) {
    listeners.add(listener);
  }

  /**
   * Adopts {@code table} if its epoch is newer than {@link #current}: saves it, then makes it
   * current, then tells the listeners. Completes with the newest table known afterwards; fails (and
   * adopts nothing) when the table cannot be saved.
   */
  public Future<PartitionTable> adopt(PartitionTable table) {
    PartitionTable known = current;
    if (known != null && table.epoch() <= known.epoch()) {
      return Future.succeededFuture(known);
    }
    return adoption.executeBlocking(() -> adoptNow(table), true);
  }

  /** On the adoption thread. */
  private PartitionTable adoptNow(PartitionTable table) throws IOException {
    PartitionTable known = current;
    if (known != null && table.epoch() <= known.epoch()) {
      return known;
    }
    file.write(table);
    current = table;
    LOG.log(Level.INFO, "adopted partition table epoch {0,number,#}", table.epoch());
    for (Consumer<PartitionTable> listener : listeners) {
      try {
        listener.accept(table);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a partition table listener failed", e);
      }
    }
    return table;
  }

  /**
   * Changes the stored table: reads it, applies {@code change}, and stores the result if the stored
   * table is still the one it was computed from; when another member changed it first, reads and
   * applies again (a bounded number of times). {@code change} returns the table it was given when
   * there is nothing to do, else that table's {@link PartitionTable#successor}. Write it as "make
   * it so" rather than "do this once" (it may run several times, and a caller that retries after an
   * outcome-unknown failure runs it on a table that may already include its change).
   *
   * <p>Completes with the stored table: the new one, published on {@link #ADDRESS} and adopted
   * here; or, when {@code change} had nothing to do, the one it was given. Fails when no table is
   * stored yet, when {@code change} returns a table of the wrong epoch, when every attempt lost a
   * race, or when the store fails (then the outcome is unknown).
   */
  public Future<PartitionTable> change(Function<PartitionTable, PartitionTable> change) {
    return attempt(change, 1);
  }

  private Future<PartitionTable> attempt(
      Function<PartitionTable, PartitionTable> change, int attempt) {
    return store
        .read()
        .compose(
            stored -> {
              if (stored == null) {
                return Future.failedFuture(
                    new IllegalStateException("no partition table is stored yet"));
              }
              PartitionTable next = change.apply(stored);
              if (next == stored) {
                return adopt(stored).map(stored);
              }
              if (next.epoch() != stored.epoch() + 1) {
                return Future.failedFuture(
                    new IllegalArgumentException(
                        "a change of table epoch "
                            + stored.epoch()
                            + " must have epoch "
                            + (stored.epoch() + 1)
                            + ", not "
                            + next.epoch()));
              }
              return swap(next)
                  .compose(
                      won -> {
                        if (won) {
                          return publishAndAdopt(next);
                        }
                        if (attempt >= MAX_ATTEMPTS) {
                          return Future.failedFuture(
                              new IllegalStateException(
                                  "the partition table changed under each of "
                                      + MAX_ATTEMPTS
                                      + " attempts to change it"));
                        }
                        // Another member won; a short random pause keeps the losers from colliding
                        // again.
                        return vertx
                            .timer(ThreadLocalRandom.current().nextInt(1, MAX_BACKOFF_MILLIS))
                            .compose(t -> attempt(change, attempt + 1));
                      });
            });
  }

  /**
   * Compare-and-sets {@code next}; true if it is stored. When the store fails, the swap may or may
   * not have happened (a Raft leader that died after replicating it, say): reading the store back
   * tells. A read is linearizable, so a swap that is not visible then can no longer happen.
   */
  private Future<Boolean> swap(PartitionTable next) {
    return store
        .compareAndSet(next)
        .recover(
            failure ->
                store
                    .read()
                    .transform(
                        read -> {
                          if (read.failed()) {
                            return Future.failedFuture(failure);
                          }
                          LOG.log(
                              Level.INFO,
                              "a table swap failed ({0}); read back to see whether it was stored",
                              failure.toString());
                          return Future.succeededFuture(next.equals(read.result()));
                        }));
  }

  /**
   * Stores {@code first} as the cluster's first table unless one is stored; completes with the
   * stored table either way. When this member remembers a table from before (its saved one), the
   * first table's epoch is raised past it, so this member and any other that saw the same tables
   * adopt the new one.
   */
  public Future<PartitionTable> createIfAbsent(Supplier<PartitionTable> first) {
    return store
        .read()
        .compose(
            stored -> {
              if (stored != null) {
                return adopt(stored).map(stored);
              }
              PartitionTable table = aboveSaved(first.get());
              return store
                  .create(table)
                  .compose(created -> created ? publishAndAdopt(table) : refreshStored());
            });
  }

  private Future<PartitionTable> refreshStored() {
    return store
        .read()
        .compose(
            stored -> stored == null ? Future.succeededFuture(current) : adopt(stored).map(stored));
  }

  private PartitionTable aboveSaved(PartitionTable table) {
    long known = Math.max(saved == null ? 0 : saved.epoch(), current == null ? 0 : current.epoch());
    if (table.epoch() > known) {
      return table;
    }
    return new PartitionTable(known + 1, table.replication(), table.partitions());
  }

  /** The table this member saved before it started, or null; see {@link #current} for acting. */
  public PartitionTable saved() {
    return saved;
  }

  private Future<PartitionTable> publishAndAdopt(PartitionTable table) {
    vertx.eventBus().publish(ADDRESS, table.toJson());
    return adopt(table).map(table);
  }

  /** Stops listening and polling. */
  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(pollTimer);
    MessageConsumer<Object> listening = consumer;
    Future<Void> unregistered =
        listening == null ? Future.succeededFuture() : listening.unregister();
    return unregistered.eventually(adoption::close);
  }
}
