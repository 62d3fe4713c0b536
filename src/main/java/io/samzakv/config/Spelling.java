package io.samzakv.config;

import java.util.Collection;
import java.util.Comparator;

/** Finds the setting a misspelt name most likely meant, for a "did you mean" hint. */
final class Spelling {

  /**
   * Edits (Levenshtein distance) a name may be away from a known one to count as a typo of it: two,
   * or one per five characters of a long name ({@code KV_FSYNC_INTERVAL} for {@code
   * KV_FSYNC_INTERVAL_MS}).
   */
  private static int maxEdits(String name) {
    return Math.max(2, name.length() / 5);
  }

  private Spelling() {}

  /** {@code " (did you mean 'x'?)"} for the nearest known name, or "" when none is near. */
  static String suggestion(String name, Collection<String> known) {
    return known.stream()
        .filter(candidate -> distance(name, candidate) <= maxEdits(name))
        .min(Comparator.comparingInt(candidate -> distance(name, candidate)))
        .map(nearest -> " (did you mean '" + nearest + "'?)")
        .orElse("");
  }

  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
