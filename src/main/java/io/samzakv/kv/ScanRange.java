package io.samzakv.kv;

import java.util.Arrays;

/**
 * Keys {@code start <= key < end} in unsigned UTF-8 byte order; a null end is unbounded. A prefix
 * is the range from the prefix to its successor.
 *
 * <p>A range never reaches into the reserved key space (see {@link Key}) unless it starts inside
 * it, which only a {@link Key#reserved} key can: every other range, an empty start included, starts
 * above it. So no user scan, whatever its parameters, shows the node's own records.
 */
public record ScanRange(byte[] start, byte[] end) {

  public ScanRange {
    if (!Key.isReserved(start) && Arrays.compareUnsigned(start, Key.FIRST_USER_KEY) < 0) {
      start = Key.FIRST_USER_KEY.clone();
    }
  }

  public static ScanRange between(Key start, Key end) {
    return new ScanRange(
        start == null ? new byte[0] : start.utf8(), end == null ? null : end.utf8());
  }

  public static ScanRange prefix(Key prefix) {
    return new ScanRange(prefix.utf8(), successor(prefix.utf8()));
  }

  /** The smallest byte string greater than every string starting with {@code prefix}. */
  private static byte[] successor(byte[] prefix) {
    int last = prefix.length - 1;
    while (last >= 0 && prefix[last] == (byte) 0xFF) {
      last--;
    }
    if (last < 0) {
      return null;
    }
    byte[] end = Arrays.copyOf(prefix, last + 1);
    end[last]++;
    return end;
  }

  /** The same range, but starting no earlier than {@code from}. */
  public ScanRange startingAtLeast(byte[] from) {
    return Arrays.compareUnsigned(from, start) > 0 ? new ScanRange(from, end) : this;
  }
}
