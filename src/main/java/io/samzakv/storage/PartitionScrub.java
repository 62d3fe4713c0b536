package io.samzakv.storage;

/**
 * One partition read end to end in one snapshot and held against its evidence.
 *
 * @param recorded the evidence the engine kept with each write
 * @param found what walking the partition added up to (as far as it got when {@code damage} is set)
 * @param badValues entries whose value failed the caller's check
 * @param damage what the engine reported while walking (a damaged page), or null
 */
public record PartitionScrub(
    int partition, Evidence recorded, Evidence found, long badValues, String damage) {

  /** True when the walk finished and found exactly what the evidence says. */
  public boolean matchesEvidence() {
    return damage == null && recorded.equals(found);
  }

  /** True when nothing is wrong: the evidence matched and every value passed the check. */
  public boolean intact() {
    return matchesEvidence() && badValues == 0;
  }

  /** What is wrong, in one line; "intact" when nothing is. */
  public String describe() {
    if (damage != null) {
      return "unreadable: " + damage;
    }
    if (!recorded.equals(found)) {
      return "holds "
          + found.entries()
          + " entries (digest "
          + Long.toHexString(found.digest())
          + "), its evidence says "
          + recorded.entries()
          + " (digest "
          + Long.toHexString(recorded.digest())
          + ")";
    }
    return badValues == 0 ? "intact" : badValues + " values fail their checksum";
  }
}
