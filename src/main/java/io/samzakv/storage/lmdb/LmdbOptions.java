package io.samzakv.storage.lmdb;

/**
 * Sizing of the LMDB environment.
 *
 * @param initialMapBytes map size of a new environment; it grows on demand, so this only sets where
 *     growth starts
 * @param maxReaders reader-table slots; must exceed the number of threads that read concurrently
 */
public record LmdbOptions(long initialMapBytes, int maxReaders) {

  public LmdbOptions {
    if (initialMapBytes <= 0) {
      throw new IllegalArgumentException("initialMapBytes must be > 0, got " + initialMapBytes);
    }
    if (maxReaders <= 0) {
      throw new IllegalArgumentException("maxReaders must be > 0, got " + maxReaders);
    }
  }
}
