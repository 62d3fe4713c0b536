package io.samzakv.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.kv.Key;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionerTest {
  private final Partitioner partitioner = new Partitioner(64);

  @Test
  void sequentialKeysSpreadOverAlmostEveryPartition() {
    Set<Integer> used = new HashSet<>();
    int[] perPartition = new int[64];
    for (int i = 0; i < 1000; i++) {
      int partition = partitioner.partitionOf(Key.of("user-" + i));
      used.add(partition);
      perPartition[partition]++;
    }

    assertThat(used).hasSize(64);
    // 1000 keys over 64 partitions average 15.6; a linear hash piles 40+ into some.
    assertThat(Arrays.stream(perPartition).min().orElseThrow()).isGreaterThanOrEqualTo(3);
    assertThat(Arrays.stream(perPartition).max().orElseThrow()).isLessThanOrEqualTo(35);
  }

  @Test
  void aKeyAlwaysMapsToTheSamePartitionInRange() {
    int first = partitioner.partitionOf(Key.of("users/42"));

    assertThat(partitioner.partitionOf(Key.of("users/42"))).isEqualTo(first);
    assertThat(first).isBetween(0, 63);
  }
}
