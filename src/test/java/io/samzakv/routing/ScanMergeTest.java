package io.samzakv.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.kv.ScanItem;
import io.samzakv.kv.ScanPage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A scan asks every primary for a page of its own partitions; paging through the merged pages must
 * give every key exactly once, in unsigned UTF-8 byte order, whatever the page size.
 */
class ScanMergeTest {
  private static final Comparator<String> BYTE_ORDER =
      Comparator.comparing(key -> key.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned);

  /** Keys spread over three primaries, with characters whose UTF-16 order differs from UTF-8's. */
  private final List<List<String>> primaries =
      List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());

  private final List<String> all = new ArrayList<>();

  ScanMergeTest() {
    IntStream.range(0, 100).forEach(i -> all.add(String.format("key-%03d", i)));
    // U+FFFF sorts below U+1F600 in UTF-8 (EF.. < F0..) but above it in UTF-16 (FFFF > D83D).
    all.addAll(List.of("z\uFFFF", "z\uD83D\uDE00", "\u00e9", "a"));
    for (int i = 0; i < all.size(); i++) {
      primaries.get((i * 7) % 3).add(all.get(i));
    }
    primaries.forEach(keys -> keys.sort(BYTE_ORDER));
    all.sort(BYTE_ORDER);
  }

  @Test
  void pagingAcrossSeveralPrimariesGivesEveryKeyOnceInByteOrder() {
    for (int limit : new int[] {1, 2, 3, 7, 50, 103, 104, 1000}) {
      List<String> seen = new ArrayList<>();
      String start = "";
      int pages = 0;
      while (start != null) {
        ScanPage page = ScanMerge.merge(pagesFrom(start, limit), limit);
        assertThat(page.items()).hasSizeLessThanOrEqualTo(limit);
        page.items().forEach(item -> seen.add(item.key()));
        if (page.next() != null) {
          assertThat(page.items()).hasSize(limit);
          assertThat(BYTE_ORDER.compare(page.next(), last(page))).isPositive();
        }
        start = page.next();
        pages++;
      }
      assertThat(seen).as("limit %d", limit).containsExactlyElementsOf(all);
      assertThat(pages).as("limit %d", limit).isEqualTo(Math.max(1, ceilDiv(all.size(), limit)));
    }
  }

  @Test
  void onePageIsPassedOnAsItIs() {
    ScanPage only = new ScanPage(List.of(item("a")), "b");
    assertThat(ScanMerge.merge(List.of(only), 1)).isSameAs(only);
  }

  @Test
  void emptyPagesMergeToAnEmptyLastPage() {
    ScanPage empty = new ScanPage(List.of(), null);
    ScanPage merged = ScanMerge.merge(List.of(empty, empty, empty), 10);
    assertThat(merged.items()).isEmpty();
    assertThat(merged.next()).isNull();
  }

  /** What each primary answers: its keys from {@code start}, at most limit, and its own next. */
  private List<ScanPage> pagesFrom(String start, int limit) {
    List<ScanPage> pages = new ArrayList<>();
    for (List<String> keys : primaries) {
      List<String> from = keys.stream().filter(key -> BYTE_ORDER.compare(key, start) >= 0).toList();
      List<ScanItem> items = from.stream().limit(limit).map(ScanMergeTest::item).toList();
      pages.add(new ScanPage(items, from.size() > limit ? from.get(limit) : null));
    }
    return pages;
  }

  private static ScanItem item(String key) {
    return new ScanItem(key, key.getBytes(StandardCharsets.UTF_8), 1);
  }

  private static String last(ScanPage page) {
    return page.items().get(page.items().size() - 1).key();
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
