package io.samzakv.testing.linearizability;

import java.util.ArrayList;
import java.util.List;

/**
 * A concurrent history being recorded: clients {@link #invoke} an operation before sending it and
 * {@link #complete} it with what they learned. An operation never completed counts as {@link
 * Outcome.Unknown}.
 *
 * <p>Thread-safe: any number of clients record at once; each operation is completed at most once.
 */
public final class History {
  private static final Outcome PENDING = Outcome.unknown("never completed");

  private final List<Op> ops = new ArrayList<>();

  /**
   * Records that {@code client} is about to issue an operation; the returned op is the handle to
   * {@link #complete} it with.
   */
  public synchronized Op invoke(
      int client, String key, Op.Kind kind, String value, long expectedVersion) {
    Op op =
        new Op(
            ops.size(), client, key, kind, value, expectedVersion, System.nanoTime(), 0, PENDING);
    ops.add(op);
    return op;
  }

  public synchronized void complete(Op invoked, Outcome outcome) {
    if (ops.get(invoked.id()).outcome() != PENDING) {
      throw new IllegalStateException("completed twice: " + invoked);
    }
    ops.set(invoked.id(), invoked.completed(System.nanoTime(), outcome));
  }

  /** The operations so far, in invocation order. */
  public synchronized List<Op> ops() {
    return List.copyOf(ops);
  }

  public synchronized int size() {
    return ops.size();
  }
}
