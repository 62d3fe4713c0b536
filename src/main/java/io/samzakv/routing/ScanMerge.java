package io.samzakv.routing;

import io.samzakv.kv.ScanItem;
import io.samzakv.kv.ScanPage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Merges the pages several primaries answered for one scan into the page the client asked for: the
 * first {@code limit} entries in unsigned UTF-8 byte order (the order keys are stored in, which
 * differs from {@link String}'s for characters beyond the BMP), and as {@code next} the first key
 * not returned, so that passing it back as {@code start} pages on without losing or repeating one.
 */
final class ScanMerge {
  private ScanMerge() {}

  /** Each page holds at most {@code limit} entries of its partitions and their own {@code next}. */
  static ScanPage merge(List<ScanPage> pages, int limit) {
    if (pages.size() == 1) {
      return pages.get(0);
    }
    // At most a few primaries' pages of at most 10 000 entries: one sort is simpler than a heap
    // and costs about the same.
    List<Keyed> all = new ArrayList<>();
    byte[] next = null;
    for (ScanPage page : pages) {
      page.items().forEach(item -> all.add(new Keyed(utf8(item.key()), item)));
      if (page.next() != null) {
        next = lower(next, utf8(page.next()));
      }
    }
    all.sort(Comparator.comparing(Keyed::key, Arrays::compareUnsigned));
    if (all.size() > limit) {
      // A page's own next sorts above every entry it returned, so this cannot raise next.
      next = lower(next, all.get(limit).key());
    }
    List<ScanItem> items =
        all.subList(0, Math.min(limit, all.size())).stream().map(Keyed::item).toList();
    return new ScanPage(items, next == null ? null : new String(next, StandardCharsets.UTF_8));
  }

  private static byte[] lower(byte[] current, byte[] candidate) {
    return current == null || Arrays.compareUnsigned(candidate, current) < 0 ? candidate : current;
  }

  private static byte[] utf8(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  private record Keyed(byte[] key, ScanItem item) {}
}
