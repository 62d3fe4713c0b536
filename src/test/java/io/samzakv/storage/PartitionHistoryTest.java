package io.samzakv.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.storage.PartitionHistory.EpochStart;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a copy stands, and whether another copy's last record is one it holds. */
class PartitionHistoryTest {

  @Test
  void advanceKeepsTheLastRecordAndWhereEachEpochBegan() {
    PartitionHistory history =
        PartitionHistory.EMPTY
            .advance(1, 1)
            .advance(1, 2)
            .advance(1, 3)
            .advance(3, 4)
            .advance(3, 5);

    assertThat(history.epoch()).isEqualTo(3);
    assertThat(history.sequence()).isEqualTo(5);
    assertThat(history.epochs()).containsExactly(new EpochStart(1, 1), new EpochStart(3, 4));
  }

  @Test
  void anUnstampedRecordLeavesTheHistoryAsItWas() {
    PartitionHistory history = PartitionHistory.EMPTY.advance(2, 7);

    assertThat(history.advance(0, 0)).isEqualTo(history);
    assertThat(history.advance(5, 0)).isEqualTo(history);
  }

  @Test
  void onlyTheNewestEpochStartsAreKept() {
    PartitionHistory history = PartitionHistory.EMPTY;
    int epochs = PartitionHistory.KEPT_EPOCHS + 3;
    for (int epoch = 1; epoch <= epochs; epoch++) {
      history = history.advance(epoch, epoch * 10L).advance(epoch, epoch * 10L + 1);
    }

    assertThat(history.epochs()).hasSize(PartitionHistory.KEPT_EPOCHS);
    assertThat(history.epochs().get(0)).isEqualTo(new EpochStart(4, 40));
    assertThat(history.contains(epochs, epochs * 10L + 1)).isTrue();
    assertThat(history.contains(4, 41)).isTrue();
    assertThat(history.contains(3, 31))
        .as("an epoch no longer known reads as diverged, never as held")
        .isFalse();
  }

  @Test
  void aCopyHoldsEveryPrefixOfItsOwnHistory() {
    PartitionHistory history = PartitionHistory.EMPTY.advance(1, 1).advance(1, 2).advance(4, 3);

    assertThat(history.contains(0, 0)).as("an empty copy").isTrue();
    assertThat(history.contains(1, 1)).isTrue();
    assertThat(history.contains(1, 2)).isTrue();
    assertThat(history.contains(4, 3)).isTrue();
    assertThat(history.contains(4, 4)).as("beyond its end").isFalse();
  }

  @Test
  void aCopyThatWentOnUnderAnEpochTheOtherNeverHadHasDiverged() {
    // Both took 1..2 from the primary of epoch 1; one then wrote 3..4 as primary of epoch 2, which
    // never reached the other, whose primary of epoch 3 wrote its own 3.
    PartitionHistory common = PartitionHistory.EMPTY.advance(1, 1).advance(1, 2);
    PartitionHistory deposed = common.advance(2, 3).advance(2, 4);
    PartitionHistory current = common.advance(3, 3);

    assertThat(current.contains(deposed.epoch(), deposed.sequence())).isFalse();
    assertThat(current.contains(2, 3)).as("same sequence, another epoch").isFalse();
    assertThat(deposed.contains(current.epoch(), current.sequence())).isFalse();
    assertThat(current.contains(1, 2)).as("the common prefix").isTrue();
  }

  @Test
  void aSequenceOfAnOlderEpochEndsWhereTheNextEpochBegan() {
    // Epoch 1 wrote 1..5 on the old primary, but this copy's epoch 2 began at 3: the old primary's
    // 4 is not the 4 this copy holds.
    PartitionHistory history =
        PartitionHistory.EMPTY.advance(1, 1).advance(1, 2).advance(2, 3).advance(2, 4);

    assertThat(history.contains(1, 2)).isTrue();
    assertThat(history.contains(1, 3)).isFalse();
    assertThat(history.contains(1, 4)).isFalse();
  }

  @Test
  void encodeAndDecodeRoundTrip() {
    PartitionHistory history =
        PartitionHistory.EMPTY.advance(1, 1).advance(2, 9).advance(7, 12).advance(7, 40);

    assertThat(PartitionHistory.decode(ByteBuffer.wrap(history.encode()))).isEqualTo(history);
    assertThat(PartitionHistory.decode(ByteBuffer.wrap(PartitionHistory.EMPTY.encode())))
        .isEqualTo(PartitionHistory.EMPTY);
    assertThat(new PartitionHistory(3, 4, List.of()).encode()).hasSize(16);
  }
}
