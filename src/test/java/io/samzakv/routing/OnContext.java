package io.samzakv.routing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/** Runs routing code on an event loop, where it is called in a node, from a test thread. */
final class OnContext {
  private OnContext() {}

  static <T> Future<T> run(Vertx vertx, Supplier<Future<T>> operation) {
    Promise<T> promise = Promise.promise();
    vertx.getOrCreateContext().runOnContext(ignored -> operation.get().onComplete(promise));
    return promise.future();
  }

  /** What {@code future} fails with; an assertion error if it succeeds. */
  static Throwable failure(Future<?> future) {
    try {
      future.await();
    } catch (Throwable e) {
      return e;
    }
    throw new AssertionError("succeeded where a failure was expected");
  }
}
