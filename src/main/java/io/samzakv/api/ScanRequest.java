package io.samzakv.api;

import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.ScanRange;
import java.util.function.Function;

/** A validated scan: {@code start}/{@code end} or {@code prefix}, and {@code limit}. */
public record ScanRequest(ScanRange range, int limit) {

  /**
   * Reads the parameters through {@code param}, which answers a parameter's text or null; the HTTP
   * query string and the event-bus JSON both fit.
   */
  public static ScanRequest parse(Function<String, String> param) {
    String start = param.apply("start");
    String end = param.apply("end");
    String prefix = param.apply("prefix");
    String limitText = param.apply("limit");
    int limit = Limits.SCAN_DEFAULT_LIMIT;
    if (limitText != null) {
      try {
        limit = (int) Limits.within("limit", Long.parseLong(limitText), 1, Limits.SCAN_MAX_LIMIT);
      } catch (NumberFormatException e) {
        throw KvException.badRequest("invalid_request", "limit must be a whole number");
      }
    }
    if (prefix != null) {
      if (end != null) {
        throw KvException.badRequest("invalid_request", "give prefix or end, not both");
      }
      // start may come with prefix: it is how the next page of a prefix scan is asked for. Every
      // key starts with the empty prefix, as in etcd and Consul.
      ScanRange range =
          prefix.isEmpty() ? ScanRange.between(null, null) : ScanRange.prefix(Key.of(prefix));
      Key from = optionalKey(start);
      return new ScanRequest(from == null ? range : range.startingAtLeast(from.utf8()), limit);
    }
    return new ScanRequest(ScanRange.between(optionalKey(start), optionalKey(end)), limit);
  }

  private static Key optionalKey(String text) {
    return text == null || text.isEmpty() ? null : Key.of(text);
  }
}
