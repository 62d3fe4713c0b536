package io.samzakv.testing.linearizability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks a history of samza-kv operations for linearizability against {@link RegisterModel}, one
 * key at a time: a history is linearizable iff every key's sub-history is (linearizability is
 * compositional), and small searches are what keep the check fast.
 *
 * <p>Stateless and thread-safe.
 */
public final class LinearizabilityChecker {
  /**
   * Enough for tens of thousands of ops from a few clients; the budget bounds pathological ones.
   */
  public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(60);

  private LinearizabilityChecker() {}

  public enum Verdict {
    LINEARIZABLE,
    NOT_LINEARIZABLE,
    /** The budget ran out before the search decided. */
    INCONCLUSIVE
  }

  /**
   * The verdict for the whole history; {@code explanation} says which key failed and where, or what
   * was checked, in lines a test can print.
   */
  public record Result(Verdict verdict, String explanation) {
    public boolean isLinearizable() {
      return verdict == Verdict.LINEARIZABLE;
    }

    @Override
    public String toString() {
      return verdict + ": " + explanation;
    }
  }

  public static Result check(History history) {
    return check(history.ops(), DEFAULT_BUDGET);
  }

  public static Result check(List<Op> ops) {
    return check(ops, DEFAULT_BUDGET);
  }

  public static Result check(List<Op> ops, Duration budget) {
    long deadline = System.nanoTime() + budget.toNanos();
    long origin = ops.stream().mapToLong(Op::invokeNanos).min().orElse(0);
    Map<String, List<Op>> byKey =
        ops.stream()
            .collect(Collectors.groupingBy(Op::key, LinkedHashMap::new, Collectors.toList()));
    List<String> undecided = new ArrayList<>();
    for (Map.Entry<String, List<Op>> key : byKey.entrySet()) {
      KeySearch.Finding finding = new KeySearch(key.getKey(), key.getValue(), origin).run(deadline);
      switch (finding.verdict()) {
        case NOT_LINEARIZABLE -> {
          return new Result(Verdict.NOT_LINEARIZABLE, finding.report());
        }
        case OUT_OF_TIME -> undecided.add(key.getKey());
        case LINEARIZABLE -> {}
      }
    }
    long unknown = ops.stream().filter(Op::isUnknown).count();
    String checked =
        "%d ops on %d keys, %d with unknown outcome".formatted(ops.size(), byKey.size(), unknown);
    if (!undecided.isEmpty()) {
      return new Result(
          Verdict.INCONCLUSIVE,
          "no violation found, but the %s budget ran out for keys %s (%s)"
              .formatted(budget, undecided, checked));
    }
    return new Result(Verdict.LINEARIZABLE, checked);
  }
}
