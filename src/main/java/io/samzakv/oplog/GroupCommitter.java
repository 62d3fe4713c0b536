package io.samzakv.oplog;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit, as BookKeeper's journal does it: one daemon thread takes every commit request
 * waiting when it starts an fsync, makes them all durable with that one fsync, and completes them.
 * While it is inside fsync the next group queues up, so under load the fsync rate stays near
 * 1/latency however many threads commit.
 *
 * <p>Thread contract: {@link #submit} and {@link #close} may be called from any thread. Futures are
 * completed on the sync thread, in submission order; callers submit in position order (the op log
 * submits under its append lock), so that is position order too.
 */
final class GroupCommitter implements AutoCloseable {

  /** Makes everything submitted so far durable; returns the highest durable position. */
  @FunctionalInterface
  interface Sync {
    long sync() throws IOException;
  }

  private record Request(long position, CompletableFuture<Long> future) {}

  private final Sync sync;
  private final Thread thread;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition submitted = lock.newCondition();
  private List<Request> waiting = new ArrayList<>();
  private boolean closing;

  GroupCommitter(String threadName, Sync sync) {
    this.sync = sync;
    this.thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** A future completed once {@code position} is durable, or failed if the fsync fails. */
  CompletableFuture<Long> submit(long position) {
    CompletableFuture<Long> future = new CompletableFuture<>();
    lock.lock();
    try {
      if (closing) {
        return CompletableFuture.failedFuture(new IllegalStateException("op log is closed"));
      }
      waiting.add(new Request(position, future));
      submitted.signal();
    } finally {
      lock.unlock();
    }
    return future;
  }

  private void run() {
    List<Request> group;
    while ((group = nextGroup()) != null) {
      try {
        long durable = sync.sync();
        for (Request request : group) {
          request.future().complete(durable);
        }
      } catch (IOException | RuntimeException e) {
        for (Request request : group) {
          request.future().completeExceptionally(e);
        }
      }
    }
  }

  /** Waits for requests and takes all of them; null once closing and drained. */
  private List<Request> nextGroup() {
    lock.lock();
    try {
      while (waiting.isEmpty() && !closing) {
        submitted.awaitUninterruptibly();
      }
      if (waiting.isEmpty()) {
        return null;
      }
      List<Request> group = waiting;
      waiting = new ArrayList<>();
      return group;
    } finally {
      lock.unlock();
    }
  }

  /** Refuses new requests, completes the waiting ones with a last fsync and stops the thread. */
  @Override
  public void close() throws InterruptedIOException {
    lock.lock();
    try {
      closing = true;
      submitted.signal();
    } finally {
      lock.unlock();
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the op log sync thread");
    }
  }
}
