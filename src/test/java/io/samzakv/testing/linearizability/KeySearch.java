package io.samzakv.testing.linearizability;

import io.samzakv.testing.linearizability.RegisterModel.State;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether one key's operations are linearizable: Wing & Gong's search over the history's call and
 * return events with Lowe's memoization of (linearized set, state) pairs (G. Lowe, "Testing for
 * linearizability", 2017), the algorithm Porcupine and Knossos use.
 *
 * <p>Calls and returns sit in time order in a doubly linked list. The search walks it from the
 * front: a call whose op the model accepts is linearized (its call and return unlinked, state
 * advanced) and the walk restarts; reaching a return means that op can no longer be placed, so the
 * last choice is undone. An op with an unknown outcome returns "at infinity", so it may take effect
 * anywhere after its call; the search succeeds once every op with a known outcome is placed, which
 * lets the unknown ones that remain take effect never.
 *
 * <p>Refinements that keep unknown ops cheap, each sound on its own: unknown reads are dropped
 * (they change nothing); a value no read returned is forgotten, so unseen unknown writes look alike
 * and only the earliest pending one of a kind is tried at a point; an unknown op that would change
 * nothing is not placed; the memo subsumes points reached with more unknown ops placed (see {@link
 * Explored}); and ops are tried in the order of {@link Pass}.
 *
 * <p>Not thread-safe; one search per instance.
 */
final class KeySearch {

  /** How a search ended, with a report for a failure. */
  record Finding(Verdict verdict, String report) {}

  enum Verdict {
    LINEARIZABLE,
    NOT_LINEARIZABLE,
    OUT_OF_TIME
  }

  /** A point of the search as far as ops with a known outcome go. */
  private record Point(BitSet placedDefinite, State state) {}

  /**
   * Lowe's memo, with subsumption: the points explored so far, each with the sets of unknown ops
   * placed to reach it. Unknown ops are never owed, so reaching a point having placed a superset of
   * those leaves fewer options than an explored point, and fails as that one did.
   */
  private final class Explored {
    private final Map<Point, List<BitSet>> unknownPlaced = new HashMap<>();

    /** Records a point, or answers false when one explored before subsumes it. */
    boolean add(BitSet linearized, State state) {
      BitSet definite = (BitSet) linearized.clone();
      definite.andNot(unknownMask);
      BitSet unknown = (BitSet) linearized.clone();
      unknown.and(unknownMask);
      List<BitSet> before =
          unknownPlaced.computeIfAbsent(new Point(definite, state), point -> new ArrayList<>());
      for (BitSet earlier : before) {
        BitSet notPlacedNow = (BitSet) earlier.clone();
        notPlacedNow.andNot(unknown);
        if (notPlacedNow.isEmpty()) {
          return false;
        }
      }
      before.add(unknown);
      return true;
    }
  }

  private record Placed(int op, State before) {}

  /**
   * The order in which each point of the search tries ops, by what they are. An observer (a read, a
   * refused CAS, a delete of nothing: a known outcome that changes nothing) that fits is placed
   * with no alternatives: moving it earlier changes no one else's view, so if any order works, one
   * that places it now does. Ops that changed the key come next, and ops with an unknown outcome
   * last, since they fit almost anywhere and are rarely needed.
   */
  private enum Pass {
    OBSERVERS,
    CHANGES,
    UNKNOWN
  }

  /** Ops listed in a failure report, from each end of the longest prefix and as candidates. */
  private static final int REPORT_OPS = 8;

  private final String key;
  private final List<Op> shown;
  private final List<Op> modelled;
  private final long originNanos;
  private final int n;
  private final int head;
  private final int[] next;
  private final int[] prev;

  /** For an unknown op, the previous unknown op with the same effect, or -1. */
  private final int[] sameEffectBefore;

  private final int definite;

  private final Pass[] passes;
  private final BitSet unknownMask = new BitSet();

  private int bestDepth = -1;
  private int[] bestPrefix = new int[0];
  private State bestState = State.ABSENT;
  private int bestBlocker = -1;
  private List<Integer> bestCandidates = List.of();

  KeySearch(String key, List<Op> ops, long originNanos) {
    this.key = key;
    this.originNanos = originNanos;
    this.shown = ops.stream().filter(op -> !(op.isUnknown() && op.kind() == Op.Kind.READ)).toList();
    this.modelled = forgetUnreadValues(shown);
    this.n = modelled.size();
    this.head = 2 * n;
    this.next = new int[2 * n + 2];
    this.prev = new int[2 * n + 2];
    linkInTimeOrder();
    this.sameEffectBefore = chainSameEffects();
    this.definite = (int) modelled.stream().filter(op -> !op.isUnknown()).count();
    this.passes = modelled.stream().map(KeySearch::passOf).toArray(Pass[]::new);
    for (int op = 0; op < n; op++) {
      unknownMask.set(op, passes[op] == Pass.UNKNOWN);
    }
  }

  private static Pass passOf(Op op) {
    if (op.isUnknown()) {
      return Pass.UNKNOWN;
    }
    boolean changes = op.outcome() instanceof Outcome.Ok && op.kind() != Op.Kind.READ;
    return changes ? Pass.CHANGES : Pass.OBSERVERS;
  }

  private static List<Op> forgetUnreadValues(List<Op> ops) {
    Set<String> read =
        ops.stream()
            .filter(op -> op.kind() == Op.Kind.READ && op.outcome() instanceof Outcome.Ok)
            .map(op -> ((Outcome.Ok) op.outcome()).value())
            .collect(Collectors.toSet());
    return ops.stream()
        .map(op -> op.isUnknown() && !read.contains(op.value()) ? op.withValue(null) : op)
        .toList();
  }

  /**
   * Entry i < n is op i's call, n + i its return; head and tail are sentinels. At equal times calls
   * go first, so ops that touch in time count as concurrent.
   */
  private void linkInTimeOrder() {
    Integer[] entries = new Integer[2 * n];
    for (int i = 0; i < 2 * n; i++) {
      entries[i] = i;
    }
    Arrays.sort(entries, Comparator.comparingLong(this::time).thenComparingInt(e -> e < n ? 0 : 1));
    int last = head;
    for (int entry : entries) {
      next[last] = entry;
      prev[entry] = last;
      last = entry;
    }
    int tail = head + 1;
    next[last] = tail;
    prev[tail] = last;
  }

  private long time(int entry) {
    if (entry < n) {
      return modelled.get(entry).invokeNanos();
    }
    Op op = modelled.get(entry - n);
    return op.isUnknown() ? Long.MAX_VALUE : op.completeNanos();
  }

  private int[] chainSameEffects() {
    int[] before = new int[n];
    Map<List<Object>, Integer> lastWithEffect = new HashMap<>();
    for (int entry = next[head]; entry < 2 * n; entry = next[entry]) {
      if (entry >= n) {
        continue;
      }
      Op op = modelled.get(entry);
      before[entry] = -1;
      if (op.isUnknown()) {
        long expected = op.kind() == Op.Kind.CAS ? op.expectedVersion() : 0;
        List<Object> effect = Arrays.asList(op.kind(), op.value(), expected);
        Integer previous = lastWithEffect.put(effect, entry);
        before[entry] = previous == null ? -1 : previous;
      }
    }
    return before;
  }

  Finding run(long deadlineNanos) {
    BitSet linearized = new BitSet(n);
    Explored seen = new Explored();
    Deque<Placed> placed = new ArrayDeque<>();
    State state = State.ABSENT;
    int placedDefinite = 0;
    int entry = next[head];
    Pass pass = Pass.OBSERVERS;
    boolean ghostCasFits = false;
    long steps = 0;
    while (placedDefinite < definite) {
      if ((++steps & 0x3ff) == 0 && System.nanoTime() - deadlineNanos > 0) {
        return new Finding(Verdict.OUT_OF_TIME, "key \"" + key + "\": out of time");
      }
      boolean deadEnd = false;
      if (entry < n) {
        State after =
            pass(entry) == pass ? tryToPlace(entry, state, linearized, ghostCasFits) : null;
        if (after != null && seen.add(linearized, after)) {
          placed.push(new Placed(entry, state));
          placedDefinite += pass == Pass.UNKNOWN ? 0 : 1;
          state = after;
          lift(entry);
          entry = next[head];
          pass = Pass.OBSERVERS;
          continue;
        }
        if (after != null) {
          linearized.clear(entry);
        }
        // An observer that fits is the only move worth trying here, so if it was tried before,
        // this point is a dead end.
        deadEnd = after != null && pass == Pass.OBSERVERS;
        entry = next[entry];
      } else if (pass != Pass.UNKNOWN) {
        pass = Pass.values()[pass.ordinal() + 1];
        ghostCasFits = pass == Pass.UNKNOWN && ghostCasFits(state);
        entry = next[head];
      } else {
        deadEnd = true;
      }
      if (!deadEnd) {
        continue;
      }
      if (placed.size() > bestDepth) {
        remember(placed, state, firstReturn() - n);
      }
      Placed last;
      do {
        if (placed.isEmpty()) {
          return new Finding(Verdict.NOT_LINEARIZABLE, report());
        }
        last = placed.pop();
        state = last.before();
        linearized.clear(last.op());
        unlift(last.op());
        pass = pass(last.op());
        placedDefinite -= pass == Pass.UNKNOWN ? 0 : 1;
      } while (pass == Pass.OBSERVERS);
      ghostCasFits = pass == Pass.UNKNOWN && ghostCasFits(state);
      entry = next[last.op()];
    }
    return new Finding(Verdict.LINEARIZABLE, "");
  }

  private boolean unknown(int op) {
    return passes[op] == Pass.UNKNOWN;
  }

  private Pass pass(int op) {
    return passes[op];
  }

  /**
   * Whether an unknown CAS nobody saw the value of could take effect now. It leaves the key as an
   * unseen write would, and keeping the write for later keeps more options (it fits any version),
   * so the write need not be tried here.
   */
  private boolean ghostCasFits(State state) {
    for (int entry = next[head]; entry < n; entry = next[entry]) {
      if (isGhost(entry, Op.Kind.CAS) && modelled.get(entry).expectedVersion() == state.version()) {
        return true;
      }
    }
    return false;
  }

  private boolean isGhost(int op, Op.Kind kind) {
    Op modelledOp = modelled.get(op);
    return modelledOp.kind() == kind && modelledOp.isUnknown() && modelledOp.value() == null;
  }

  private int firstReturn() {
    int entry = next[head];
    while (entry < n) {
      entry = next[entry];
    }
    return entry;
  }

  /**
   * The state after placing op next (marking it linearized), or null when it cannot go next or is
   * an unknown op that would change nothing (leaving it for later loses nothing).
   */
  private State tryToPlace(int op, State state, BitSet linearized, boolean ghostCasFits) {
    if (aSameEffectOpIsPending(op, linearized) || (ghostCasFits && isGhost(op, Op.Kind.WRITE))) {
      return null;
    }
    State after = RegisterModel.step(state, modelled.get(op));
    if (after == null || (pass(op) == Pass.UNKNOWN && after.equals(state))) {
      return null;
    }
    linearized.set(op);
    return after;
  }

  /**
   * Placing an unknown op while an earlier one with the same effect is still pending would repeat
   * the search that placing the earlier one already made, with the two swapped.
   */
  private boolean aSameEffectOpIsPending(int op, BitSet linearized) {
    for (int other = sameEffectBefore[op]; other >= 0; other = sameEffectBefore[other]) {
      if (!linearized.get(other)) {
        return true;
      }
    }
    return false;
  }

  private void lift(int op) {
    unlink(op);
    unlink(op + n);
  }

  private void unlink(int entry) {
    next[prev[entry]] = next[entry];
    prev[next[entry]] = prev[entry];
  }

  /** Undoes the most recent {@link #lift}, relinking in reverse order as dancing links do. */
  private void unlift(int op) {
    relink(op + n);
    relink(op);
  }

  private void relink(int entry) {
    next[prev[entry]] = entry;
    prev[next[entry]] = entry;
  }

  /** Keeps the deepest dead end: how far the search got, and what it could not place next. */
  private void remember(Deque<Placed> placed, State state, int blocker) {
    bestDepth = placed.size();
    bestPrefix = new int[placed.size()];
    int i = placed.size();
    for (Placed p : placed) {
      bestPrefix[--i] = p.op();
    }
    bestState = state;
    bestBlocker = blocker;
    List<Integer> candidates = new ArrayList<>();
    for (int entry = next[head]; entry != blocker + n; entry = next[entry]) {
      if (entry < n) {
        candidates.add(entry);
      }
    }
    bestCandidates = candidates;
  }

  /**
   * The deepest dead end in words: the ops with known outcomes that end the longest linearizable
   * prefix (the unknown ones in it are mostly the search's last resort), the state it leaves, and
   * the ops that could not come next.
   */
  private String report() {
    StringBuilder text = new StringBuilder();
    text.append(
        "key \"%s\": not linearizable (%d ops, %d with unknown outcome)%n"
            .formatted(key, n, n - definite));
    List<Integer> prefix = Arrays.stream(bestPrefix).boxed().toList();
    text.append(
        "The longest linearizable prefix places %d ops (%d with unknown outcome)"
            .formatted(prefix.size(), prefix.stream().filter(this::unknown).count()));
    text.append(prefix.isEmpty() ? "" : ", ending with");
    text.append(":%n".formatted());
    List<Integer> knownPrefix = prefix.stream().filter(op -> !unknown(op)).toList();
    knownPrefix
        .subList(Math.max(0, knownPrefix.size() - REPORT_OPS), knownPrefix.size())
        .forEach(op -> line(text, op));
    text.append(
        "It leaves the key %s. Then #%d must take effect before it returns,%n"
            .formatted(bestState, shown.get(bestBlocker).id()));
    text.append("but none of the ops that could go next fits:%n".formatted());
    List<Integer> known =
        bestCandidates.stream().filter(op -> !unknown(op)).limit(REPORT_OPS).toList();
    known.forEach(op -> line(text, op));
    if (bestCandidates.size() > known.size()) {
      text.append(
          "  (and %d ops with unknown outcome or beyond these)%n"
              .formatted(bestCandidates.size() - known.size()));
    }
    return text.toString();
  }

  private void line(StringBuilder text, int op) {
    text.append("  ").append(shown.get(op).describe(originNanos)).append(System.lineSeparator());
  }
}
