package io.samzakv.testing.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.testing.linearizability.LinearizabilityChecker.Result;
import io.samzakv.testing.linearizability.LinearizabilityChecker.Verdict;
import io.samzakv.testing.linearizability.RegisterModel.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Histories of a correct register: concurrent clients whose ops take effect atomically at a random
 * instant inside their interval (an unknown one at any instant after its call, or never). The
 * checker must accept every such history, and reject it once one read is made stale.
 */
class SimulatedHistoriesTest {

  /** One op as planned: who, when, and the instant it takes effect (-1: never). */
  private record Plan(Op op, long effectAt) {}

  /** A state and the op that replaced it, for making a read stale. */
  private record Superseded(String key, State state, long supersededBy) {}

  private record Simulation(List<Op> ops, List<Superseded> superseded) {}

  private static Simulation simulate(
      long seed,
      int clients,
      int opsPerClient,
      List<String> keys,
      int unknownPercent,
      int deletePercent) {
    Random random = new Random(seed);
    List<Plan> plans = new ArrayList<>();
    for (int client = 0; client < clients; client++) {
      long time = random.nextInt(1_000);
      for (int i = 0; i < opsPerClient; i++) {
        long start = time + 1 + random.nextInt(10_000);
        long end = start + 1 + random.nextInt(50_000);
        boolean unknown = random.nextInt(100) < unknownPercent;
        long effectAt = start + (long) (random.nextDouble() * (end - start));
        if (unknown) {
          effectAt = random.nextBoolean() ? -1 : start + random.nextInt(100_000);
        }
        Op.Kind kind = randomKind(random, deletePercent);
        String value = kind == Op.Kind.WRITE || kind == Op.Kind.CAS ? "c" + client + "-" + i : null;
        String key = keys.get(random.nextInt(keys.size()));
        Outcome pending = unknown ? Outcome.unknown("simulated") : null;
        plans.add(new Plan(new Op(0, client, key, kind, value, 0, start, end, pending), effectAt));
        time = end;
      }
    }
    return apply(random, plans);
  }

  private static Op.Kind randomKind(Random random, int deletePercent) {
    int dice = random.nextInt(100);
    if (dice < deletePercent) {
      return Op.Kind.DELETE;
    }
    return dice < 40 ? Op.Kind.READ : (dice < 70 ? Op.Kind.WRITE : Op.Kind.CAS);
  }

  /** Applies the ops in order of their effect instants, giving each the outcome it would see. */
  private static Simulation apply(Random random, List<Plan> plans) {
    Map<String, State> states = new HashMap<>();
    Map<String, Op> lastWriter = new HashMap<>();
    List<Superseded> superseded = new ArrayList<>();
    List<Op> done = new ArrayList<>();
    List<Plan> inEffectOrder =
        plans.stream()
            .sorted(
                Comparator.comparingLong(Plan::effectAt)
                    .thenComparingLong(p -> p.op().invokeNanos()))
            .toList();
    for (Plan plan : inEffectOrder) {
      Op op = plan.op();
      State before = states.getOrDefault(op.key(), State.ABSENT);
      long expected =
          random.nextBoolean()
              ? before.version()
              : Math.max(0, before.version() + random.nextInt(3) - 1);
      Op asked =
          new Op(
              0,
              op.client(),
              op.key(),
              op.kind(),
              op.value(),
              expected,
              op.invokeNanos(),
              op.completeNanos(),
              op.outcome());
      if (plan.effectAt() < 0) {
        done.add(asked);
        continue;
      }
      State after = effect(before, asked);
      Outcome outcome = op.isUnknown() ? op.outcome() : outcome(before, after, asked);
      Op completed = asked.completed(op.completeNanos(), outcome);
      if (!after.equals(before)) {
        Op writer = lastWriter.put(op.key(), completed);
        if (writer != null && !writer.isUnknown() && !completed.isUnknown()) {
          superseded.add(new Superseded(op.key(), before, completed.completeNanos()));
        }
      }
      states.put(op.key(), after);
      done.add(completed);
    }
    List<Op> byInvocation =
        done.stream().sorted(Comparator.comparingLong(Op::invokeNanos)).toList();
    List<Op> numbered = new ArrayList<>();
    for (Op op : byInvocation) {
      numbered.add(
          new Op(
              numbered.size(),
              op.client(),
              op.key(),
              op.kind(),
              op.value(),
              op.expectedVersion(),
              op.invokeNanos(),
              op.completeNanos(),
              op.outcome()));
    }
    return new Simulation(numbered, superseded);
  }

  private static State effect(State state, Op op) {
    return switch (op.kind()) {
      case READ -> state;
      case WRITE -> new State(op.value(), state.version() + 1);
      case CAS ->
          state.version() == op.expectedVersion()
              ? new State(op.value(), state.version() + 1)
              : state;
      case DELETE -> State.ABSENT;
    };
  }

  private static Outcome outcome(State before, State after, Op op) {
    return switch (op.kind()) {
      case READ ->
          before.version() == 0
              ? Outcome.notFound()
              : Outcome.read(before.value(), before.version());
      case WRITE -> Outcome.written(after.version());
      case CAS ->
          after.equals(before)
              ? Outcome.mismatch(before.version())
              : Outcome.written(after.version());
      case DELETE -> before.version() == 0 ? Outcome.notFound() : Outcome.deleted();
    };
  }

  @Test
  void historiesOfACorrectRegisterAreLinearizable() {
    for (long seed = 0; seed < 200; seed++) {
      List<Op> ops = simulate(seed, 8, 40, List.of("a", "b", "c"), 10, 10).ops();

      Result result = LinearizabilityChecker.check(ops, Duration.ofSeconds(10));

      assertThat(result.verdict())
          .as("seed %d: %s", seed, result.explanation())
          .isEqualTo(Verdict.LINEARIZABLE);
    }
  }

  @Test
  void thousandsOfOpsOnOneKeyFromEightClientsCheckQuickly() {
    List<Op> ops = simulate(42, 8, 500, List.of("hot"), 5, 2).ops();

    long start = System.nanoTime();
    Result result = LinearizabilityChecker.check(ops, Duration.ofSeconds(20));
    long millis = (System.nanoTime() - start) / 1_000_000;

    System.out.println(result + " in " + millis + " ms");
    assertThat(result.verdict()).as(result.explanation()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void oneStaleReadIsCaught() {
    for (long seed = 0; seed < 100; seed++) {
      Simulation simulation = simulate(seed, 8, 40, List.of("a", "b"), 10, 0);
      List<Op> ops = new ArrayList<>(simulation.ops());
      Op stale = makeOneReadStale(ops, simulation.superseded());

      Result result = LinearizabilityChecker.check(ops, Duration.ofSeconds(10));

      assertThat(result.verdict())
          .as("seed %d, stale %s: %s", seed, stale, result.explanation())
          .isEqualTo(Verdict.NOT_LINEARIZABLE);
      assertThat(result.explanation()).contains("key \"" + stale.key() + "\"");
    }
  }

  /**
   * Makes the last definite read that began after some state was replaced by a definite write
   * return that state instead. Without deletes versions only grow, so no order explains it.
   */
  private static Op makeOneReadStale(List<Op> ops, List<Superseded> superseded) {
    for (int i = ops.size() - 1; i >= 0; i--) {
      Op read = ops.get(i);
      if (read.kind() != Op.Kind.READ || read.isUnknown()) {
        continue;
      }
      for (Superseded old : superseded) {
        if (old.key().equals(read.key()) && old.supersededBy() < read.invokeNanos()) {
          Op stale =
              read.completed(
                  read.completeNanos(), Outcome.read(old.state().value(), old.state().version()));
          ops.set(i, stale);
          return stale;
        }
      }
    }
    throw new AssertionError("no read to make stale");
  }
}
