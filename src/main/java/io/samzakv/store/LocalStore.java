package io.samzakv.store;

import io.micrometer.core.instrument.MeterRegistry;
import io.samzakv.codec.CorruptValueException;
import io.samzakv.codec.DecodedValue;
import io.samzakv.codec.ValueCodec;
import io.samzakv.kv.Alarms;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.ScanItem;
import io.samzakv.kv.ScanPage;
import io.samzakv.kv.ScanRange;
import io.samzakv.kv.VersionedValue;
import io.samzakv.kv.WriteResult;
import io.samzakv.oplog.OpLog;
import io.samzakv.storage.KeyValue;
import io.samzakv.storage.StorageEngine;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The partitions this node holds, served from the op log, the engine and the value cache.
 *
 * <p>Reads answer from the cache on the calling event loop when they can, else on a bounded reader
 * pool (bounded so LMDB reader slots never run out); they never queue behind writes. Writes go
 * through the {@link WritePipeline}. Every returned future completes on the caller's context.
 *
 * <p>Thread contract: the public methods are called on event loops; the store owns its threads.
 */
public final class LocalStore implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(LocalStore.class.getName());

  /**
   * The largest value a write can carry: one op-log record must hold it with the longest key and
   * the codec's header. {@code KV_MAX_VALUE_BYTES} is bounded by it when the node starts, so that a
   * value the API accepts can always be logged.
   */
  public static final int LARGEST_VALUE_BYTES =
      OpLog.MAX_PAYLOAD_BYTES - Key.MAX_BYTES - ValueCodec.MAX_HEADER_BYTES;

  private final OpLog log;
  private final StorageEngine storage;
  private final ValueCodec codec;
  private final ValueCache cache;
  private final WritePipeline pipeline;
  private final Checkpointer checkpointer;
  private final ExecutorService readers;

  private LocalStore(OpLog log, StorageEngine storage, Options options, long checkpointed) {
    this.log = log;
    this.storage = storage;
    this.codec = new ValueCodec(options.compression(), LARGEST_VALUE_BYTES);
    this.cache = new ValueCache(options.cacheBytes(), options.registry());
    this.pipeline = new WritePipeline(log, storage, cache, codec, options.alarms());
    this.checkpointer = new Checkpointer(log, storage, options.checkpointInterval(), checkpointed);
    this.readers = Executors.newFixedThreadPool(options.readerThreads(), readerThreads());
    if (options.registry() != null) {
      StoreMeters.register(options.registry(), pipeline, storage, checkpointer);
    }
  }

  /** How a store encodes, caches and checkpoints. */
  public record Options(
      boolean compression,
      long cacheBytes,
      int readerThreads,
      Duration checkpointInterval,
      MeterRegistry registry,
      Alarms alarms) {}

  /** Replays the log into the engine (blocking: call it off the event loop) and opens the store. */
  public static LocalStore recover(OpLog log, StorageEngine storage, Options options)
      throws IOException {
    long begin = System.nanoTime();
    long checkpointed = storage.appliedPosition();
    long replayed = Recovery.replay(log, storage);
    LOG.log(
        Level.INFO,
        "recovered: replayed {0,number,#} op-log records in {1,number,#} ms, store at position {2,number,#}",
        replayed,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin),
        storage.appliedPosition());
    return new LocalStore(log, storage, options, checkpointed);
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
    byte[] stored = storage.get(partition, key.utf8());
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

  private Future<WriteResult> write(WriteCommand command) {
    pipeline.submit(command);
    // The pipeline fails commands with KvExceptions directly, so nothing needs unwrapping here.
    return onCallerContext(command.result());
  }

  /** Up to {@code limit} entries of {@code range} across {@code partitions}, in key order. */
  public Future<ScanPage> scan(int[] partitions, ScanRange range, int limit) {
    return onReaders(
        () -> {
          List<KeyValue> found = storage.scan(partitions, range.start(), range.end(), limit + 1);
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
    readers.shutdown();
    checkpointer.checkpoint();
    log.close();
    storage.close();
  }
}
