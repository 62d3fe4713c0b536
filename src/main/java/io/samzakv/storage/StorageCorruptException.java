package io.samzakv.storage;

/**
 * The engine met damaged storage: a page that is not what the B-tree says it is. Whatever the
 * request was, its answer is unknown, never "absent"; the partition must not be written again until
 * it is repaired (a write into a damaged page can abort the process).
 */
public final class StorageCorruptException extends RuntimeException {
  /** {@link #partition()} when the damage is not in one partition's data (catalog, metadata). */
  public static final int WHOLE_STORE = -1;

  private final int partition;

  public StorageCorruptException(int partition, String message, Throwable cause) {
    super(message, cause);
    this.partition = partition;
  }

  /** The damaged partition, or {@link #WHOLE_STORE}. */
  public int partition() {
    return partition;
  }
}
