package io.samzakv.storage.lmdb;

/**
 * Sizing of the LMDB environment.
 *
 * @param initialMapBytes map size of a new environment; it grows on demand, so this only sets where
 *     growth starts
 * @param maxReaders reader-table slots; must exceed the number of threads that read concurrently
 * @param digestedValueBytes how many leading bytes of each value the partitions' evidence covers
 *     (see {@link io.samzakv.storage.EntryDigest}); the value format's checksummed header is enough
 */
public record LmdbOptions(long initialMapBytes, int maxReaders, int digestedValueBytes) {

  /** Options whose evidence covers whole values: right for any value format, and the slowest. */
  public LmdbOptions(long initialMapBytes, int maxReaders) {
    this(initialMapBytes, maxReaders, Integer.MAX_VALUE);
  }

  public LmdbOptions {
    if (initialMapBytes <= 0) {
      throw new IllegalArgumentException("initialMapBytes must be > 0, got " + initialMapBytes);
    }
    if (maxReaders <= 0) {
      throw new IllegalArgumentException("maxReaders must be > 0, got " + maxReaders);
    }
    if (digestedValueBytes < 0) {
      throw new IllegalArgumentException(
          "digestedValueBytes must be >= 0, got " + digestedValueBytes);
    }
  }
}
