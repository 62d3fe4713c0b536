package io.samzakv.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.samzakv.codec.ValueCodec;
import io.samzakv.kv.Alarms;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.VersionedValue;
import io.samzakv.kv.WriteResult;
import io.samzakv.oplog.FsyncPolicy;
import io.samzakv.oplog.OpLog;
import io.samzakv.oplog.OpLogOptions;
import io.samzakv.routing.Partitioner;
import io.samzakv.storage.lmdb.LmdbOptions;
import io.samzakv.storage.lmdb.LmdbStorageEngine;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link LocalStore} over a real LMDB engine and op log in a temp dir, driven from one Vert.x
 * event-loop context as the APIs drive it. It records every completion that did not arrive on that
 * context, since the store promises to complete futures on the caller's context.
 */
public final class StoreFixture implements AutoCloseable {
  public static final int PARTITIONS = 8;
  static final long WAIT_SECONDS = 30;

  final Path dir;
  final Vertx vertx;
  final Context context;
  final Settings settings;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Partitioner partitioner = new Partitioner(PARTITIONS);
  final ConcurrentLinkedQueue<String> offContextCompletions = new ConcurrentLinkedQueue<>();
  final LmdbStorageEngine storage;
  final OpLog log;
  final Alarms alarms;
  public final LocalStore store;
  private boolean closed;

  /** What a test may vary. */
  record Settings(long cacheBytes, long segmentBytes, Duration checkpointInterval) {
    static Settings defaults() {
      return new Settings(64L << 20, 1 << 20, Duration.ofSeconds(60));
    }

    Settings withCacheBytes(long bytes) {
      return new Settings(bytes, segmentBytes, checkpointInterval);
    }

    Settings withCheckpointInterval(Duration interval) {
      return new Settings(cacheBytes, segmentBytes, interval);
    }
  }

  private StoreFixture(Path dir, Vertx vertx, Settings settings) throws IOException {
    this.dir = dir;
    this.vertx = vertx;
    this.settings = settings;
    this.context = vertx.getOrCreateContext();
    this.storage = openStorage(dir);
    this.log = openLog(dir, settings, registry, storage.appliedPosition());
    this.alarms = new Alarms();
    this.store =
        LocalStore.recover(
            log,
            storage,
            new LocalStore.Options(
                true,
                settings.cacheBytes(),
                4,
                settings.checkpointInterval(),
                registry,
                alarms,
                Duration.ZERO));
  }

  public static StoreFixture open(Path dir, Vertx vertx) throws IOException {
    return open(dir, vertx, Settings.defaults());
  }

  static StoreFixture open(Path dir, Vertx vertx, Settings settings) throws IOException {
    return new StoreFixture(dir, vertx, settings);
  }

  static LmdbStorageEngine openStorage(Path dir) {
    return LmdbStorageEngine.open(
        dir.resolve("lmdb"),
        PARTITIONS,
        new LmdbOptions(1 << 20, 126, ValueCodec.IDENTIFYING_BYTES));
  }

  static OpLog openLog(Path dir, Settings settings, SimpleMeterRegistry registry)
      throws IOException {
    return openLog(dir, settings, registry, 0);
  }

  /** The op log as a node opens it, knowing the position the engine has applied through. */
  static OpLog openLog(Path dir, Settings settings, SimpleMeterRegistry registry, long applied)
      throws IOException {
    return OpLog.open(
        dir.resolve("oplog"),
        new OpLogOptions(FsyncPolicy.ALWAYS, settings.segmentBytes(), Duration.ofMillis(100)),
        registry,
        applied);
  }

  /** The same data dir opened again, as a restarted node would. */
  StoreFixture reopen() throws IOException {
    close();
    return open(dir, vertx, settings);
  }

  int partition(Key key) {
    return partitioner.partitionOf(key);
  }

  // ---- operations, started on the fixture's context --------------------------------------

  CompletableFuture<WriteResult> put(String key, byte[] value, Precondition precondition) {
    Key k = Key.of(key);
    return on(() -> store.put(partition(k), k, value, precondition));
  }

  CompletableFuture<WriteResult> put(String key, String value) {
    return put(key, bytes(value), Precondition.NONE);
  }

  CompletableFuture<VersionedValue> get(String key) {
    Key k = Key.of(key);
    return on(() -> store.get(partition(k), k));
  }

  CompletableFuture<Void> delete(String key, Precondition precondition) {
    Key k = Key.of(key);
    return on(() -> store.delete(partition(k), k, precondition));
  }

  /**
   * Runs {@code operation} on the context and hands its outcome over; the store's own future is
   * checked to complete on that same context.
   */
  <T> CompletableFuture<T> on(Supplier<Future<T>> operation) {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(
        ignored -> {
          Future<T> future;
          try {
            future = operation.get();
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
          }
          future.onComplete(
              done -> {
                if (Vertx.currentContext() != context) {
                  offContextCompletions.add(Thread.currentThread().getName());
                }
                if (done.succeeded()) {
                  result.complete(done.result());
                } else {
                  result.completeExceptionally(done.cause());
                }
              });
        });
    return result;
  }

  static <T> T await(CompletableFuture<T> future) throws Exception {
    try {
      return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** The KvException a future fails with. */
  static KvException failure(CompletableFuture<?> future) throws Exception {
    try {
      future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(KvException.class);
      return (KvException) e.getCause();
    }
    throw new AssertionError("succeeded where a failure was expected");
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Closes the store gracefully (blocking, on the test thread); idempotent. */
  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      store.close();
    }
  }
}
