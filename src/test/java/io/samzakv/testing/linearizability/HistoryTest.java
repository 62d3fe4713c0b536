package io.samzakv.testing.linearizability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HistoryTest {
  private final History history = new History();

  @Test
  void completedOpKeepsItsCallAndGainsOutcomeAndReturnTime() {
    Op invoked = history.invoke(3, "k", Op.Kind.CAS, "c3-1", 2);

    history.complete(invoked, Outcome.written(3));

    Op op = history.ops().get(0);
    assertThat(op.client()).isEqualTo(3);
    assertThat(op.expectedVersion()).isEqualTo(2);
    assertThat(op.outcome()).isEqualTo(Outcome.written(3));
    assertThat(op.completeNanos()).isGreaterThanOrEqualTo(op.invokeNanos());
  }

  @Test
  void opNeverCompletedIsUnknown() {
    history.invoke(1, "k", Op.Kind.WRITE, "c1-0", 0);

    assertThat(history.ops().get(0).isUnknown()).isTrue();
  }

  @Test
  void opCannotBeCompletedTwice() {
    Op invoked = history.invoke(1, "k", Op.Kind.READ, null, 0);
    history.complete(invoked, Outcome.notFound());

    assertThatThrownBy(() -> history.complete(invoked, Outcome.notFound()))
        .isInstanceOf(IllegalStateException.class);
  }
}
