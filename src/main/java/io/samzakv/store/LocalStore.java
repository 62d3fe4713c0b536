package io.samzakv.store;

import io.micrometer.core.instrument.MeterRegistry;
import io.samzakv.codec.CorruptValueException;
import io.samzakv.codec.DecodedValue;
import io.samzakv.codec.ValueCodec;
import io.samzakv.kv.Alarms;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.PartitionCheck;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.ScanItem;
import io.samzakv.kv.ScanPage;
import io.samzakv.kv.ScanRange;
import io.samzakv.kv.ScrubService;
import io.samzakv.kv.VersionedValue;
import io.samzakv.kv.WriteResult;
import io.samzakv.oplog.LogRecord;
import io.samzakv.oplog.OpLog;
import io.samzakv.storage.KeyValue;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.PartitionHistory;
import io.samzakv.storage.StorageCorruptException;
import io.samzakv.storage.StorageEngine;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The partitions this node holds, served from the op log, the engine and the value cache.
 *
 * <p>Reads answer from the cache on the calling event loop when they can, else on a bounded reader
 * pool (bounded so LMDB reader slots never run out); they never queue behind writes. Writes go
 * through the {@link WritePipeline}. Every returned future completes on the caller's context.
 *
 * <p>A partition found damaged (by a {@link Scrubber} or by a read or write meeting damage) answers
 * 503 {@code partition_corrupt} to everything and takes no write; see {@link PartitionHealth}.
 *
 * <p>Thread contract: the public methods are called on event loops; the store owns its threads.
 */
public final class LocalStore implements AutoCloseable, ScrubService {
  /**
   * How long start-up may scrub before serving. Measured: 0.22-0.53 s per million 100-byte entries
   * on 2 shared cores with the file in the page cache, so a store of 20-40 million such entries is
   * fully checked before it serves (a cold cache makes it disk-bound); a larger one finishes its
   * first scrub in the background right after start.
   */
  private static final Duration START_SCRUB_BUDGET = Duration.ofSeconds(10);

  private static final System.Logger LOG = System.getLogger(LocalStore.class.getName());

  /**
   * The largest value a write can carry: one op-log record must hold it with the longest key and
   * the codec's header. {@code KV_MAX_VALUE_BYTES} is bounded by it when the node starts, so that a
   * value the API accepts can always be logged.
   */
  public static final int LARGEST_VALUE_BYTES =
      OpLog.MAX_PAYLOAD_BYTES - Key.MAX_BYTES - ValueCodec.MAX_HEADER_BYTES;

  /**
   * The newest records kept in memory for replicas that fell behind ({@link RecentRecords}); one
   * that needs older ones gets a snapshot of the partition instead.
   */
  private static final long RECENT_RECORD_BYTES = 64L << 20;

  private final OpLog log;
  private final StorageEngine storage;
  private final ValueCodec codec;
  private final ValueCache cache;
  private final WritePipeline pipeline;
  private final Checkpointer checkpointer;
  private final ExecutorService readers;
  private final PartitionHealth health;
  private final Scrubber scrubber;

  private LocalStore(
      OpLog log,
      StorageEngine storage,
      Options options,
      ValueCodec codec,
      PartitionHealth health,
      Scrubber scrubber,
      long checkpointed) {
    this.log = log;
    this.storage = storage;
    this.codec = codec;
    this.health = health;
    this.scrubber = scrubber;
    this.cache = new ValueCache(options.cacheBytes(), options.registry());
    this.pipeline =
        new WritePipeline(
            log,
            storage,
            cache,
            codec,
            new WritePathState(options.alarms()),
            health,
            RECENT_RECORD_BYTES);
    this.checkpointer = new Checkpointer(log, storage, options.checkpointInterval(), checkpointed);
    this.readers = Executors.newFixedThreadPool(options.readerThreads(), readerThreads());
    StoreMeters.register(options.registry(), pipeline, storage, checkpointer);
  }

  /** How a store encodes, caches and checkpoints. */
  public record Options(
      boolean compression,
      long cacheBytes,
      int readerThreads,
      Duration checkpointInterval,
      MeterRegistry registry,
      Alarms alarms,
      Duration scrubInterval) {}

  /**
   * Scrubs the engine, replays the log into its intact partitions (blocking: call it off the event
   * loop) and opens the store.
   */
  public static LocalStore recover(OpLog log, StorageEngine storage, Options options)
      throws IOException {
    ValueCodec codec = new ValueCodec(options.compression(), LARGEST_VALUE_BYTES);
    PartitionHealth health = new PartitionHealth(options.alarms(), storage.location());
    Scrubber scrubber = new Scrubber(storage, codec, health, options.registry());
    // Before the replay: the evidence matches every committed state, and the replay must not
    // write into a partition that turns out to be damaged.
    long replayed;
    long begin;
    List<Integer> unscrubbed;
    long checkpointed;
    try {
      unscrubbed =
          scrubber.atStart(
              START_SCRUB_BUDGET, Recovery.partitionsToReplay(log, storage.appliedPosition()));
      begin = System.nanoTime();
      checkpointed = storage.appliedPosition();
      replayed = Recovery.replay(log, storage, health);
      Recovery.rebuildDamaged(log, storage, health, codec::intact);
    } catch (IOException | RuntimeException e) {
      scrubber.close();
      throw e;
    }
    LOG.log(
        Level.INFO,
        "recovered: replayed {0,number,#} op-log records in {1,number,#} ms, store at position {2,number,#}",
        replayed,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin),
        storage.appliedPosition());
    scrubber.schedule(unscrubbed, options.scrubInterval());
    return new LocalStore(log, storage, options, codec, health, scrubber, checkpointed);
  }

  private static java.util.concurrent.ThreadFactory readerThreads() {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "kv-reader-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  public Future<VersionedValue> get(int partition, Key key) {
    KvException refusal = refusal(partition);
    if (refusal != null) {
      return Future.failedFuture(refusal);
    }
    VersionedValue cached = cache.getIfPresent(key.text());
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return onReaders(
        () -> {
          VersionedValue loaded = cache.get(key.text(), k -> load(partition, key));
          if (loaded == null) {
            throw KvException.notFound();
          }
          return loaded;
        });
  }

  private VersionedValue load(int partition, Key key) {
    byte[] stored;
    try {
      stored = storage.get(partition, key.utf8());
    } catch (StorageCorruptException e) {
      throw health.damaged(e);
    }
    return stored == null ? null : decode(key.text(), stored);
  }

  private VersionedValue decode(String key, byte[] stored) {
    try {
      DecodedValue decoded = codec.decode(stored);
      return new VersionedValue(decoded.version(), decoded.value());
    } catch (CorruptValueException e) {
      LOG.log(Level.ERROR, "stored value of key ''{0}'' is corrupt: {1}", key, e.getMessage());
      throw KvException.corrupt("the stored value of '" + key + "' failed its checksum");
    }
  }

  public Future<WriteResult> put(int partition, Key key, byte[] value, Precondition precondition) {
    return write(new WriteCommand(partition, key, value, precondition, new CompletableFuture<>()));
  }

  public Future<Void> delete(int partition, Key key, Precondition precondition) {
    return write(new WriteCommand(partition, key, null, precondition, new CompletableFuture<>()))
        .mapEmpty();
  }

  /**
   * The leader epoch under which this node serves {@code partition} as primary, or -1. Never
   * blocks.
   */
  public long servingEpoch(int partition) {
    return pipeline.roles().servingEpoch(partition);
  }

  /** Why a read of {@code partition} is refused here, or null. */
  private KvException refusal(int partition) {
    if (pipeline.roles().servingEpoch(partition) < 0) {
      return KvException.notPrimary("this node does not serve partition " + partition);
    }
    return health.refusal(partition);
  }

  private Future<WriteResult> write(WriteCommand command) {
    KvException refusal = health.refusal(command.partition());
    if (refusal != null) {
      return Future.failedFuture(refusal);
    }
    pipeline.submit(command);
    // The pipeline fails commands with KvExceptions directly, so nothing needs unwrapping here.
    return onCallerContext(command.result());
  }

  /** Up to {@code limit} entries of {@code range} across {@code partitions}, in key order. */
  public Future<ScanPage> scan(int[] partitions, ScanRange range, int limit) {
    for (int partition : partitions) {
      KvException refusal = refusal(partition);
      if (refusal != null) {
        // A scan that skipped a damaged partition would present its keys as absent.
        return Future.failedFuture(refusal);
      }
    }
    return onReaders(
        () -> {
          List<KeyValue> found;
          try {
            found = storage.scan(partitions, range.start(), range.end(), limit + 1);
          } catch (StorageCorruptException e) {
            throw health.damaged(e);
          }
          List<ScanItem> items = new ArrayList<>(Math.min(found.size(), limit));
          for (KeyValue entry : found.subList(0, Math.min(found.size(), limit))) {
            String key = Key.stored(entry.key()).text();
            VersionedValue value = decode(key, entry.value());
            items.add(new ScanItem(key, value.value(), value.version()));
          }
          String next = found.size() > limit ? Key.stored(found.get(limit).key()).text() : null;
          return new ScanPage(items, next);
        });
  }

  /**
   * From now on, writes are fenced by {@code roles} (a write to a partition this node does not
   * serve is refused, and every record is stamped with the partition's leader epoch) and shipped to
   * the replicas by {@code replication} before they are acknowledged.
   */
  public void replicate(PartitionRoles roles, Replication replication) {
    pipeline.replicate(roles, replication);
  }

  /**
   * Takes records a primary shipped, whole or not at all; completes once they are durable here.
   * {@code fences} names, per partition, the leader epoch the primary sends them under. Fails with
   * {@code stale_epoch} when the partition has a newer primary, and with {@code sequence_gap} when
   * they do not continue what this copy holds.
   */
  public Future<Void> takeRecords(Map<Integer, Long> fences, List<LogRecord> records) {
    RecordsCommand command = new RecordsCommand(fences, records, new CompletableFuture<>());
    pipeline.submit(command);
    return onCallerContext(command.result());
  }

  /** Completes once every write logged before the call is applied (and readable). */
  public Future<Void> appliedSoFar() {
    return onCallerContext(pipeline.appliedSoFar());
  }

  /** The newest records, for a replica catching up. */
  public RecentRecords recentRecords() {
    return pipeline.recent();
  }

  /** Where this copy of {@code partition} stands in its history. Never blocks. */
  public PartitionHistory history(int partition) {
    return storage.history(partition);
  }

  /**
   * Passes every entry of {@code partition} to {@code each} from one consistent snapshot and
   * returns the history the snapshot holds. Blocking: a worker thread.
   */
  public PartitionHistory snapshot(int partition, Consumer<KeyValue> each) {
    return storage.snapshot(partition, each);
  }

  /**
   * Replaces this copy of {@code partition} by the entries {@code source} feeds, a copy of its
   * primary's as of {@code history} (asked for once the source is done); durable before it returns.
   * Only while no record of the partition is submitted. Blocking: a worker thread.
   */
  public void install(
      int partition, Consumer<Consumer<Mutation>> source, Supplier<PartitionHistory> history) {
    storage.install(partition, source, history);
    cache.invalidateAll();
    pipeline.installed(partition);
  }

  /** Scrubs every partition now; damaged ones are marked as a background scrub would. */
  @Override
  public Future<List<PartitionCheck>> scrub() {
    return onCallerContext(scrubber.scrubNow());
  }

  private <T> Future<T> onReaders(Supplier<T> read) {
    return unwrapped(onCallerContext(CompletableFuture.supplyAsync(read, readers)));
  }

  /**
   * Completes back on the caller's context, where Vert.x code expects its callbacks; a caller off
   * Vert.x (a test, a tool) gets it on whichever store thread finished the work.
   */
  private static <T> Future<T> onCallerContext(CompletionStage<T> stage) {
    Context context = Vertx.currentContext();
    return context == null
        ? Future.fromCompletionStage(stage)
        : Future.fromCompletionStage(stage, context);
  }

  private static <T> Future<T> unwrapped(Future<T> future) {
    return future.recover(
        error ->
            Future.failedFuture(
                error instanceof CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error));
  }

  /**
   * Finishes every accepted write, then forces the engine and the log to disk and closes both.
   * Blocking: call it off the event loop.
   */
  @Override
  public void close() throws IOException {
    pipeline.close();
    checkpointer.close();
    scrubber.close();
    readers.shutdown();
    checkpointer.checkpoint();
    log.close();
    storage.close();
  }
}
