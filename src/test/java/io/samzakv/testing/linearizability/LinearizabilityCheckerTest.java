package io.samzakv.testing.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.testing.linearizability.LinearizabilityChecker.Result;
import io.samzakv.testing.linearizability.LinearizabilityChecker.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-built histories of one or two keys, with times in arbitrary units. */
class LinearizabilityCheckerTest {
  private final List<Op> ops = new ArrayList<>();

  private void op(
      String key,
      int client,
      Op.Kind kind,
      String value,
      long expected,
      long start,
      long end,
      Outcome outcome) {
    ops.add(new Op(ops.size(), client, key, kind, value, expected, start, end, outcome));
  }

  private void write(int client, long start, long end, String value, Outcome outcome) {
    op("k", client, Op.Kind.WRITE, value, 0, start, end, outcome);
  }

  private void cas(int client, long start, long end, String value, long expected, Outcome outcome) {
    op("k", client, Op.Kind.CAS, value, expected, start, end, outcome);
  }

  private void read(int client, long start, long end, Outcome outcome) {
    op("k", client, Op.Kind.READ, null, 0, start, end, outcome);
  }

  private void delete(int client, long start, long end, Outcome outcome) {
    op("k", client, Op.Kind.DELETE, null, 0, start, end, outcome);
  }

  private static Outcome ok(long version) {
    return Outcome.written(version);
  }

  private static Outcome saw(String value, long version) {
    return Outcome.read(value, version);
  }

  private static Outcome unknown() {
    return Outcome.unknown("timeout");
  }

  private Result check() {
    Result result = LinearizabilityChecker.check(ops, Duration.ofSeconds(10));
    System.out.println(result);
    return result;
  }

  private void assertLinearizable() {
    Result result = check();
    assertThat(result.isLinearizable()).as(result.explanation()).isTrue();
  }

  private Result assertViolation() {
    Result result = check();
    assertThat(result.verdict()).as(result.explanation()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    return result;
  }

  @Test
  void sequentialHistoryOfEveryKindIsLinearizable() {
    read(1, 0, 1, Outcome.notFound());
    write(1, 2, 3, "a", ok(1));
    read(2, 4, 5, saw("a", 1));
    cas(2, 6, 7, "b", 1, ok(2));
    cas(1, 8, 9, "c", 1, Outcome.mismatch(2));
    delete(1, 10, 11, Outcome.deleted());
    delete(2, 12, 13, Outcome.notFound());
    cas(2, 14, 15, "d", 0, ok(1));
    read(1, 16, 17, saw("d", 1));

    assertLinearizable();
  }

  @Test
  void overlappingOpsMayTakeEffectInEitherOrder() {
    write(1, 0, 10, "a", ok(2));
    write(2, 1, 9, "b", ok(1));
    read(3, 2, 3, saw("b", 1));
    read(4, 2, 12, saw("a", 2));
    read(3, 4, 5, saw("a", 2));

    assertLinearizable();
  }

  @Test
  void keysAreCheckedApart() {
    write(1, 0, 1, "a", ok(1));
    op("other", 2, Op.Kind.WRITE, "x", 0, 0, 1, ok(1));
    op("other", 2, Op.Kind.READ, null, 0, 2, 3, saw("x", 1));
    read(1, 2, 3, saw("a", 1));

    assertLinearizable();
  }

  @Test
  void staleReadAfterACompletedWriteIsCaught() {
    write(1, 0, 1, "a", ok(1));
    write(1, 2, 3, "b", ok(2));
    read(2, 4, 5, saw("a", 1));

    Result result = assertViolation();

    assertThat(result.explanation()).contains("key \"k\"", "#2 c2 read()", "\"b\" v2");
  }

  @Test
  void readOfAValueNeverWrittenIsCaught() {
    write(1, 0, 1, "a", ok(1));
    read(2, 0, 5, saw("ghost", 1));

    assertViolation();
  }

  @Test
  void twoCasFromTheSameVersionBothSucceedingIsALostUpdate() {
    write(1, 0, 1, "a", ok(1));
    cas(2, 2, 6, "b", 1, ok(2));
    cas(3, 3, 7, "c", 1, ok(2));

    assertViolation();
  }

  @Test
  void readsGoingBackwardsAreCaughtEvenWhileTheWriteIsInFlight() {
    write(1, 0, 1, "a", ok(1));
    write(1, 2, 20, "b", ok(2));
    read(2, 3, 4, saw("b", 2));
    read(3, 5, 6, saw("a", 1));

    assertViolation();
  }

  @Test
  void refusedCasMustReportTheVersionTheKeyWasAt() {
    write(1, 0, 1, "a", ok(1));
    cas(2, 2, 3, "b", 2, Outcome.mismatch(2));

    assertViolation();
  }

  @Test
  void deleteOfAnAbsentKeyCannotSucceed() {
    write(1, 0, 1, "a", ok(1));
    delete(1, 2, 3, Outcome.deleted());
    delete(2, 4, 5, Outcome.deleted());

    assertViolation();
  }

  @Test
  void unknownWriteMayTakeEffectLongAfterItsClientGaveUp() {
    write(1, 0, 1, "a", ok(1));
    write(1, 2, 3, "b", unknown());
    read(2, 4, 5, saw("a", 1));
    read(2, 100, 101, saw("b", 2));

    assertLinearizable();
  }

  @Test
  void unknownWriteMayNeverTakeEffect() {
    write(1, 0, 1, "a", ok(1));
    write(1, 2, 3, "b", unknown());
    cas(2, 4, 5, "c", 1, unknown());
    delete(2, 6, 7, unknown());
    read(2, 100, 101, saw("a", 1));
    write(2, 102, 103, "d", ok(2));

    assertLinearizable();
  }

  @Test
  void unknownWriteCannotTakeEffectBeforeItWasInvoked() {
    read(1, 0, 1, saw("b", 1));
    write(2, 5, 6, "b", unknown());

    assertViolation();
  }

  @Test
  void versionsShowThatAnUnknownWriteTookEffect() {
    write(1, 0, 1, "a", ok(1));
    write(1, 2, 3, "b", unknown());
    write(2, 10, 11, "c", ok(3));

    assertLinearizable();
  }

  @Test
  void versionsCannotSkipWithoutAWriteToExplainThem() {
    write(1, 0, 1, "a", ok(1));
    write(2, 10, 11, "c", ok(3));

    assertViolation();
  }

  @Test
  void manyUnknownWritesStayCheap() {
    write(0, 0, 1, "a", ok(1));
    for (int i = 1; i <= 300; i++) {
      write(1 + i % 8, 10 * i, 10 * i + 5, "u" + i, unknown());
      read(9, 10 * i + 2, 10 * i + 3, saw("a", 1));
    }
    cas(0, 5000, 5001, "z", 1, ok(2));

    assertLinearizable();
  }

  @Test
  void runningOutOfBudgetIsInconclusiveNotAVerdict() {
    for (int i = 0; i < 5000; i++) {
      write(1, 2 * i, 2 * i + 1, "v" + i, ok(i + 1));
    }

    Result result = LinearizabilityChecker.check(ops, Duration.ZERO);

    assertThat(result.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(result.isLinearizable()).isFalse();
    assertThat(result.explanation()).contains("[k]");
  }
}
