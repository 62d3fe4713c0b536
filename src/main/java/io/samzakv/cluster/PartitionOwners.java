package io.samzakv.cluster;

import java.util.List;

/** Who serves one partition: the primary, which takes every read and write, and its replicas. */
public record PartitionOwners(String primary, List<String> replicas) {
  public PartitionOwners {
    replicas = List.copyOf(replicas);
  }
}
