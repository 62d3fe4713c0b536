package io.samzakv.storage;

/**
 * What a partition's stored data must add up to, kept by the engine in the same transaction as the
 * data itself: the number of entries and an order-independent digest, the sum (mod 2^64) of one
 * {@link EntryDigest} per entry. LMDB keeps no page checksums, so a damaged page that makes entries
 * vanish from lookups and cursors shows up only as a count or digest that no longer adds up.
 *
 * <p>A sum rather than a chained hash: an overwrite or delete updates it in O(1) by subtracting the
 * old entry's digest, with no need to rehash the partition.
 */
public record Evidence(long entries, long digest) {

  public static final Evidence EMPTY = new Evidence(0, 0);

  /** This evidence with one more entry whose digest is {@code entryDigest}. */
  public Evidence plus(long entryDigest) {
    return new Evidence(entries + 1, digest + entryDigest);
  }

  /** This evidence without an entry whose digest is {@code entryDigest}. */
  public Evidence minus(long entryDigest) {
    return new Evidence(entries - 1, digest - entryDigest);
  }
}
