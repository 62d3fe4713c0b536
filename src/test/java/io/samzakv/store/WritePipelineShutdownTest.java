package io.samzakv.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.WriteResult;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Closing the store while writes keep arriving answers every one of them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WritePipelineShutdownTest {
  @RegisterExtension static final SharedVertx vertx = new SharedVertx();

  @TempDir Path dir;

  /** A writer thread submits puts nonstop while the test thread closes the store under it. */
  @Test
  void everyWriteRacingCloseIsEitherAcknowledgedOrRefused() throws Exception {
    for (int round = 0; round < 5; round++) {
      StoreFixture fx = StoreFixture.open(dir.resolve("r" + round), vertx.get());
      List<Future<WriteResult>> writes = new CopyOnWriteArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch started = new CountDownLatch(1);
      CompletableFuture<Void> spammer = new CompletableFuture<>();
      Thread writer =
          new Thread(
              () -> {
                Key key = Key.of("k");
                int partition = fx.partition(key);
                int n = 0;
                while (!stop.get()) {
                  writes.add(fx.store.put(partition, key, new byte[] {1}, Precondition.NONE));
                  if (++n == 100) {
                    started.countDown();
                  }
                }
                spammer.complete(null);
              });
      writer.start();
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      fx.close();
      stop.set(true);
      spammer.get(10, TimeUnit.SECONDS);
      for (Future<WriteResult> write : writes) {
        CompletableFuture<WriteResult> done = write.toCompletionStage().toCompletableFuture();
        try {
          done.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(KvException.class);
          assertThat(((KvException) e.getCause()).status()).isEqualTo(503);
        } catch (TimeoutException e) {
          throw new AssertionError("round " + round + ": a write racing close was not answered", e);
        }
      }
    }
  }
}
