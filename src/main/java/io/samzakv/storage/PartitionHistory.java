package io.samzakv.storage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Where one copy of a partition stands in the partition's history: the leader epoch and sequence of
 * the last record it applied, and where each recent leader epoch began (Kafka's leader-epoch
 * checkpoint, KIP-101). Two copies whose records came from the same primaries agree on every
 * sequence up to where one epoch of theirs ended; {@link #endOf} is what a primary answers a
 * follower asking "is my last record one of yours?" ({@link #contains}).
 *
 * @param epochs the first sequence of each leader epoch seen, oldest first, at most {@link
 *     #KEPT_EPOCHS}
 */
public record PartitionHistory(long epoch, long sequence, List<EpochStart> epochs) {
  public static final PartitionHistory EMPTY = new PartitionHistory(0, 0, List.of());

  /** Older epoch starts are dropped: a follower that far behind is sent a snapshot instead. */
  static final int KEPT_EPOCHS = 64;

  /** Leader epoch {@code epoch} wrote its first record at {@code firstSequence}. */
  public record EpochStart(long epoch, long firstSequence) {}

  public PartitionHistory {
    epochs = List.copyOf(epochs);
  }

  /** This history after a record at (epoch, sequence); unchanged for an unstamped one (0). */
  public PartitionHistory advance(long recordEpoch, long recordSequence) {
    if (recordSequence == 0) {
      return this;
    }
    if (recordEpoch == epoch) {
      return new PartitionHistory(epoch, recordSequence, epochs);
    }
    List<EpochStart> next = new ArrayList<>(epochs);
    next.add(new EpochStart(recordEpoch, recordSequence));
    if (next.size() > KEPT_EPOCHS) {
      next.remove(0);
    }
    return new PartitionHistory(recordEpoch, recordSequence, next);
  }

  /**
   * Whether the record at (epoch, sequence) is one this copy holds: the copy that ends there then
   * holds nothing this one lacks, since each leader epoch writes each sequence once and a copy only
   * takes records that extend what it holds. False also when this history no longer reaches back to
   * that epoch: the answer is then unknown, and the caller must treat the copies as diverged.
   */
  public boolean contains(long recordEpoch, long recordSequence) {
    if (recordSequence == 0) {
      return true;
    }
    for (int i = 0; i < epochs.size(); i++) {
      EpochStart start = epochs.get(i);
      if (start.epoch() == recordEpoch) {
        long end = i + 1 < epochs.size() ? epochs.get(i + 1).firstSequence() - 1 : sequence;
        return start.firstSequence() <= recordSequence && recordSequence <= end;
      }
    }
    return false;
  }

  public byte[] encode() {
    ByteBuffer out = ByteBuffer.allocate(16 + 16 * epochs.size());
    out.putLong(epoch).putLong(sequence);
    epochs.forEach(start -> out.putLong(start.epoch()).putLong(start.firstSequence()));
    return out.array();
  }

  public static PartitionHistory decode(ByteBuffer in) {
    long epoch = in.getLong();
    long sequence = in.getLong();
    List<EpochStart> epochs = new ArrayList<>();
    while (in.remaining() >= 16) {
      epochs.add(new EpochStart(in.getLong(), in.getLong()));
    }
    return new PartitionHistory(epoch, sequence, epochs);
  }
}
