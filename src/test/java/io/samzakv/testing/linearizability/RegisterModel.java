package io.samzakv.testing.linearizability;

import java.util.Objects;

/**
 * A samza-kv key as a sequential object: absent (version 0) or a value at version n >= 1; every
 * write adds 1, a delete makes it absent, a CAS writes only at its expected version.
 */
public final class RegisterModel {
  private RegisterModel() {}

  /**
   * A key's state. {@code value} is null when absent and also for a value nobody ever read: the
   * checker forgets such values, so that writes no one observed look alike.
   */
  public record State(String value, long version) {
    public static final State ABSENT = new State(null, 0);

    @Override
    public String toString() {
      return version == 0 ? "absent" : (value == null ? "?" : "\"" + value + "\"") + " v" + version;
    }
  }

  /**
   * The state after {@code op} takes effect in {@code state}, or null when it could not have ended
   * with the outcome it had. An op with an unknown outcome always can; its effect is what the
   * sequential object would have done.
   */
  public static State step(State state, Op op) {
    Outcome outcome = op.outcome();
    boolean unknown = outcome instanceof Outcome.Unknown;
    boolean present = state.version() > 0;
    return switch (op.kind()) {
      case READ -> {
        if (unknown) {
          yield state;
        }
        if (outcome instanceof Outcome.Ok ok) {
          yield present
                  && ok.version() == state.version()
                  && Objects.equals(ok.value(), state.value())
              ? state
              : null;
        }
        yield outcome instanceof Outcome.NotFound && !present ? state : null;
      }
      case WRITE -> {
        State written = new State(op.value(), state.version() + 1);
        yield unknown || isOkAt(outcome, written.version()) ? written : null;
      }
      case CAS -> {
        boolean matches = state.version() == op.expectedVersion();
        State written = new State(op.value(), state.version() + 1);
        if (unknown) {
          yield matches ? written : state;
        }
        if (outcome instanceof Outcome.Mismatch mismatch) {
          yield !matches && mismatch.currentVersion() == state.version() ? state : null;
        }
        yield matches && isOkAt(outcome, written.version()) ? written : null;
      }
      case DELETE -> {
        if (unknown) {
          yield State.ABSENT;
        }
        if (outcome instanceof Outcome.Ok) {
          yield present ? State.ABSENT : null;
        }
        yield outcome instanceof Outcome.NotFound && !present ? state : null;
      }
    };
  }

  private static boolean isOkAt(Outcome outcome, long version) {
    return outcome instanceof Outcome.Ok ok && ok.version() == version;
  }
}
