package io.samzakv.api.http;

import io.samzakv.kv.KvException;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;

/**
 * A read's {@code If-None-Match}: {@code *} or a list of entity tags ({@code "3"}, {@code W/"3"},
 * {@code "2", "3"}), compared weakly as RFC 9110 asks for GET and HEAD, so a tag a cache stored as
 * weak still revalidates. Several header lines are one list. A header that is not a list of entity
 * tags is a 400, as for writes.
 */
record IfNoneMatch(boolean any, List<String> tags) {
  static final IfNoneMatch NONE = new IfNoneMatch(false, List.of());

  private static final String HEADER = "If-None-Match";

  static IfNoneMatch from(MultiMap headers) {
    List<String> lines = headers.getAll(HEADER);
    if (lines.isEmpty()) {
      return NONE;
    }
    String value = String.join(",", lines).trim();
    return value.equals("*")
        ? new IfNoneMatch(true, List.of())
        : new IfNoneMatch(false, tags(value));
  }

  /** Whether a key at {@code version} (it exists) matches, so the answer is 304. */
  boolean matches(long version) {
    return any || tags.contains(Long.toString(version));
  }

  /** The opaque tags of a comma-separated list of entity tags, weak or strong alike. */
  private static List<String> tags(String list) {
    List<String> tags = new ArrayList<>();
    int i = 0;
    while (i < list.length()) {
      if (isSeparator(list.charAt(i))) {
        i++;
        continue;
      }
      int open = list.startsWith("W/", i) ? i + 2 : i;
      // An opaque tag is a quoted string without quotes inside (etagc excludes DQUOTE).
      int close =
          open < list.length() && list.charAt(open) == '"' ? list.indexOf('"', open + 1) : -1;
      if (close < 0) {
        throw malformed();
      }
      tags.add(list.substring(open + 1, close));
      i = close + 1;
      while (i < list.length() && isWhitespace(list.charAt(i))) {
        i++;
      }
      if (i < list.length() && list.charAt(i) != ',') {
        throw malformed();
      }
    }
    if (tags.isEmpty()) {
      throw malformed();
    }
    return tags;
  }

  private static boolean isSeparator(char c) {
    return c == ',' || isWhitespace(c);
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t';
  }

  private static KvException malformed() {
    return KvException.badRequest(
        "invalid_header", HEADER + " takes * or entity tags, like \"3\" or W/\"3\"");
  }
}
