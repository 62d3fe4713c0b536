package io.samzakv.api.http;

import io.samzakv.kv.KvException;
import io.samzakv.kv.Utf8;
import java.util.HashMap;
import java.util.Map;

/**
 * A strictly parsed query string: malformed percent-encoding, invalid UTF-8 or a repeated parameter
 * is a 400 rather than something silently patched up.
 */
final class QueryParams {
  private final Map<String, String> values;

  private QueryParams(Map<String, String> values) {
    this.values = values;
  }

  static QueryParams parse(String rawQuery) {
    Map<String, String> values = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return new QueryParams(values);
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = text(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : text(pair.substring(eq + 1));
      if (values.put(name, value) != null) {
        throw KvException.badRequest("invalid_request", "parameter " + name + " given twice");
      }
    }
    return new QueryParams(values);
  }

  private static String text(String encoded) {
    return Utf8.decode(PercentDecoding.decode(encoded, true), "invalid_encoding", "query string");
  }

  String get(String name) {
    return values.get(name);
  }
}
