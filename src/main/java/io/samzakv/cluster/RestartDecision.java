package io.samzakv.cluster;

import java.util.Set;

/** The outcome of {@link TableAssignment#firstAfterRestart}: a first table, or whom to wait for. */
public sealed interface RestartDecision {

  /** Every member needed is present: {@code table} is the first table after the restart. */
  record Ready(PartitionTable table) implements RestartDecision {}

  /**
   * Members named in the newest persisted table are not back yet; without them no one can tell
   * which copies hold every acknowledged write, so the caller waits for them.
   */
  record Waiting(Set<String> missing) implements RestartDecision {
    public Waiting {
      missing = Set.copyOf(missing);
    }
  }
}
