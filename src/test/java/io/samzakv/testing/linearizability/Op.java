package io.samzakv.testing.linearizability;

import java.util.Locale;

/**
 * One operation of a history: what a client asked for, when, and what it learned.
 *
 * @param id position in its history, unique within it
 * @param client the virtual client that issued it
 * @param value the value a write or CAS stores; null for reads and deletes
 * @param expectedVersion the version a CAS requires ({@code If-Match}); 0 means "absent" ({@code
 *     If-None-Match: *}); unused by other kinds
 * @param invokeNanos {@link System#nanoTime} just before the request was sent
 * @param completeNanos {@link System#nanoTime} when the outcome arrived; for an {@link
 *     Outcome.Unknown} outcome only informative, since such an op has no return time
 */
public record Op(
    int id,
    int client,
    String key,
    Kind kind,
    String value,
    long expectedVersion,
    long invokeNanos,
    long completeNanos,
    Outcome outcome) {

  public enum Kind {
    READ,
    WRITE,
    CAS,
    DELETE
  }

  public boolean isUnknown() {
    return outcome instanceof Outcome.Unknown;
  }

  Op withValue(String newValue) {
    return new Op(
        id, client, key, kind, newValue, expectedVersion, invokeNanos, completeNanos, outcome);
  }

  Op completed(long nanos, Outcome result) {
    return new Op(id, client, key, kind, value, expectedVersion, invokeNanos, nanos, result);
  }

  /**
   * One line for a failure report, with times in milliseconds since {@code originNanos}: {@code #12
   * c3 cas("c3-7" if v4) -> ok v5 [+10.200, +11.030 ms]}.
   */
  public String describe(long originNanos) {
    String call =
        switch (kind) {
          case READ -> "read()";
          case WRITE -> "write(" + quote(value) + ")";
          case CAS ->
              "cas("
                  + quote(value)
                  + (expectedVersion == 0 ? " if absent)" : " if v" + expectedVersion + ")");
          case DELETE -> "delete()";
        };
    String end = isUnknown() ? "?" : millis(completeNanos - originNanos);
    return "#%d c%d %s -> %s [+%s, +%s ms]"
        .formatted(id, client, call, result(), millis(invokeNanos - originNanos), end);
  }

  private String result() {
    if (outcome instanceof Outcome.Ok ok) {
      return switch (kind) {
        case READ -> quote(ok.value()) + " v" + ok.version();
        case WRITE, CAS -> "ok v" + ok.version();
        case DELETE -> "deleted";
      };
    }
    if (outcome instanceof Outcome.Mismatch mismatch) {
      return "412 at v" + mismatch.currentVersion();
    }
    if (outcome instanceof Outcome.Unknown unknown) {
      return "unknown (" + unknown.cause() + ")";
    }
    return "not found";
  }

  private static String quote(String text) {
    return text == null ? "?" : "\"" + text + "\"";
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }
}
