package io.samzakv.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.oplog.LogOp;
import io.samzakv.oplog.LogRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The in-memory tail a replica catches up from: it answers "everything after sequence n" exactly,
 * or says it no longer can, and never drops a record the engine has not applied.
 */
class RecentRecordsTest {
  /** Each test record takes 64 + 1 + 35 = 100 bytes of the budget. */
  private static final int VALUE_BYTES = 35;

  private long position;

  @Test
  void sinceAnswersTheRecordsAfterASequenceFromWhereTheNodeStarted() {
    RecentRecords recent = new RecentRecords(new long[] {0, 5}, 1 << 20);

    assertThat(recent.since(0, 0)).isEmpty();
    assertThat(recent.since(1, 5)).isEmpty();
    assertThat(recent.since(1, 4)).as("only on disk since the start").isNull();

    add(recent, 0, 1, 1, 2, 3);
    add(recent, 1, 1, 6);
    add(recent, 0, 2, 4);

    assertThat(sequences(recent.since(0, 0))).containsExactly(1L, 2L, 3L, 4L);
    assertThat(sequences(recent.since(0, 2))).containsExactly(3L, 4L);
    assertThat(recent.since(0, 4)).isEmpty();
    assertThat(sequences(recent.since(1, 5))).containsExactly(6L);
    assertThat(recent.since(0, 3).get(0).epoch()).isEqualTo(2);
  }

  @Test
  void theBudgetOnlyDropsAppliedRecordsOldestFirst() {
    RecentRecords recent = new RecentRecords(new long[] {0, 0}, 250);
    add(recent, 0, 1, 1, 2);
    add(recent, 1, 1, 1);
    add(recent, 0, 1, 3, 4);

    assertThat(sequences(recent.since(0, 0)))
        .as("over budget, but nothing applied")
        .containsExactly(1L, 2L, 3L, 4L);

    recent.applied(2);
    assertThat(recent.since(0, 1)).isNull();
    assertThat(sequences(recent.since(0, 2))).containsExactly(3L, 4L);
    assertThat(sequences(recent.since(1, 0))).as("not applied yet").containsExactly(1L);

    recent.applied(5);
    assertThat(recent.since(1, 0)).isNull();
    assertThat(sequences(recent.since(0, 2))).as("back within the budget").containsExactly(3L, 4L);
  }

  @Test
  void forgetDropsTheRecordsOfALostPartitionAboveASequence() {
    RecentRecords recent = new RecentRecords(new long[] {0, 0}, 250);
    add(recent, 0, 1, 1, 2, 3, 4);
    add(recent, 1, 1, 1);

    recent.forget(0, 1);
    add(recent, 0, 1, 2);

    assertThat(sequences(recent.since(0, 0))).containsExactly(1L, 2L);
    assertThat(recent.since(0, 1).get(0).position()).as("the new record 2").isEqualTo(position);
    assertThat(sequences(recent.since(1, 0))).containsExactly(1L);

    recent.applied(position);
    assertThat(recent.since(0, 0)).isNull();
    assertThat(sequences(recent.since(0, 1))).containsExactly(2L);
    assertThat(sequences(recent.since(1, 0)))
        .as("the forgotten records no longer count against the budget")
        .containsExactly(1L);
  }

  @Test
  void resetStartsThePartitionOverFromAnInstalledCopy() {
    RecentRecords recent = new RecentRecords(new long[] {0, 0}, 1 << 20);
    add(recent, 0, 1, 1, 2, 3);
    add(recent, 1, 1, 1);

    recent.reset(0, 40);

    assertThat(recent.since(0, 3)).isNull();
    assertThat(recent.since(0, 40)).isEmpty();
    add(recent, 0, 2, 41);
    assertThat(sequences(recent.since(0, 40))).containsExactly(41L);
    assertThat(sequences(recent.since(1, 0))).containsExactly(1L);
  }

  private void add(RecentRecords recent, int partition, long epoch, long... sequences) {
    for (long sequence : sequences) {
      recent.add(
          new LogRecord(
              ++position,
              partition,
              epoch,
              sequence,
              LogOp.PUT,
              new byte[] {'k'},
              new byte[VALUE_BYTES]));
    }
  }

  private static List<Long> sequences(List<LogRecord> records) {
    return records.stream().map(LogRecord::sequence).toList();
  }
}
