package io.samzakv.testing.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.testing.linearizability.LinearizabilityChecker.Verdict;
import io.samzakv.testing.linearizability.RegisterModel.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The checker's shortcuts (observers placed without alternatives, unseen values forgotten, the
 * subsuming memo) against the definition: every order of the ops that respects real time, tried one
 * by one, on small random histories with random outcomes.
 */
class BruteForceAgreementTest {

  @Test
  void checkerAgreesWithTryingEveryOrder() {
    Random random = new Random(7);
    int violations = 0;
    for (int history = 0; history < 10000; history++) {
      List<Op> ops = randomHistory(random, 2 + random.nextInt(7));

      boolean expected = linearizable(ops, new boolean[ops.size()], State.ABSENT);
      Verdict verdict = LinearizabilityChecker.check(ops, Duration.ofSeconds(10)).verdict();

      assertThat(verdict)
          .as("history %d: %s", history, ops)
          .isEqualTo(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
      violations += expected ? 0 : 1;
    }
    assertThat(violations).as("both verdicts are exercised").isBetween(1000, 9000);
  }

  private static List<Op> randomHistory(Random random, int size) {
    List<Op> ops = new ArrayList<>();
    for (int id = 0; id < size; id++) {
      long start = random.nextInt(20);
      long end = start + random.nextInt(8);
      Op.Kind kind = Op.Kind.values()[random.nextInt(4)];
      String value = "v" + id;
      long expected = random.nextInt(3);
      Outcome outcome =
          random.nextInt(5) == 0
              ? Outcome.unknown("random")
              : switch (kind) {
                case READ ->
                    random.nextInt(3) == 0
                        ? Outcome.notFound()
                        : Outcome.read("v" + random.nextInt(size), 1 + random.nextInt(3));
                case WRITE -> Outcome.written(1 + random.nextInt(3));
                case CAS ->
                    random.nextBoolean()
                        ? Outcome.written(expected + 1)
                        : Outcome.mismatch(random.nextInt(3));
                case DELETE -> random.nextBoolean() ? Outcome.deleted() : Outcome.notFound();
              };
      boolean writes = kind == Op.Kind.WRITE || kind == Op.Kind.CAS;
      ops.add(new Op(id, id % 3, "k", kind, writes ? value : null, expected, start, end, outcome));
    }
    return ops;
  }

  /** Whether the ops not yet placed can follow in some order; unknown ones may be left out. */
  private static boolean linearizable(List<Op> ops, boolean[] placed, State state) {
    boolean allKnownPlaced = true;
    for (int i = 0; i < ops.size(); i++) {
      allKnownPlaced &= placed[i] || ops.get(i).isUnknown();
    }
    if (allKnownPlaced) {
      return true;
    }
    for (int i = 0; i < ops.size(); i++) {
      State after =
          placed[i] || !mayGoNext(ops, placed, i) ? null : RegisterModel.step(state, ops.get(i));
      if (after != null) {
        placed[i] = true;
        boolean rest = linearizable(ops, placed, after);
        placed[i] = false;
        if (rest) {
          return true;
        }
      }
    }
    return false;
  }

  /** No other pending op with a known outcome returned before this one was invoked. */
  private static boolean mayGoNext(List<Op> ops, boolean[] placed, int candidate) {
    for (int i = 0; i < ops.size(); i++) {
      Op other = ops.get(i);
      if (!placed[i]
          && i != candidate
          && !other.isUnknown()
          && other.completeNanos() < ops.get(candidate).invokeNanos()) {
        return false;
      }
    }
    return true;
  }
}
