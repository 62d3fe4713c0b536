package io.samzakv.storage;

/**
 * The data directory was created with a different partition count than the one configured. Keys are
 * placed by partition, so opening it anyway would silently lose or misroute data.
 */
public final class PartitionCountMismatchException extends IllegalStateException {

  public PartitionCountMismatchException(String dataDir, int stored, int configured) {
    super(
        "data dir "
            + dataDir
            + " was created with "
            + stored
            + " partitions, but "
            + configured
            + " are configured");
  }
}
