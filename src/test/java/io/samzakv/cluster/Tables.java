package io.samzakv.cluster;

import java.util.ArrayList;
import java.util.List;

/** Tables for tests whose changes are observable: each change adds a token to partition 0. */
final class Tables {
  private Tables() {}

  /** A one-partition table whose replicas are {@code tokens}. */
  static PartitionTable table(long epoch, List<String> tokens) {
    List<String> inSync = new ArrayList<>(tokens);
    inSync.add(0, "primary");
    return new PartitionTable(
        epoch, 2, List.of(new PartitionAssignment("primary", 1, tokens, inSync)));
  }

  /** The successor of {@code table} with {@code token} added. */
  static PartitionTable withToken(PartitionTable table, String token) {
    List<String> tokens = new ArrayList<>(table.assignment(0).replicas());
    tokens.add(token);
    return table(table.epoch() + 1, tokens);
  }
}
