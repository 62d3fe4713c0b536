package io.samzakv.api.http;

import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.vertx.core.MultiMap;

/**
 * Reads {@code If-Match: "n"} and {@code If-None-Match: *} into a {@link Precondition}. Anything
 * else in those headers is a 400, not a silently unconditional write.
 */
final class HttpPreconditions {
  private HttpPreconditions() {}

  static Precondition from(MultiMap headers) {
    String ifMatch = single(headers, "If-Match");
    String ifNoneMatch = single(headers, "If-None-Match");
    if (ifMatch != null && ifNoneMatch != null) {
      throw invalid("send If-Match or If-None-Match, not both");
    }
    if (ifNoneMatch != null) {
      if (!ifNoneMatch.equals("*")) {
        throw invalid("If-None-Match takes only *");
      }
      return Precondition.ABSENT;
    }
    if (ifMatch == null) {
      return Precondition.NONE;
    }
    if (ifMatch.length() < 3 || !ifMatch.startsWith("\"") || !ifMatch.endsWith("\"")) {
      throw invalid("If-Match takes a quoted version, like \"3\"");
    }
    String digits = ifMatch.substring(1, ifMatch.length() - 1);
    if (!digits.chars().allMatch(Character::isDigit) || digits.length() > 18) {
      throw invalid("If-Match takes a quoted version, like \"3\"");
    }
    return Precondition.ifVersion(Long.parseLong(digits));
  }

  private static String single(MultiMap headers, String name) {
    var values = headers.getAll(name);
    if (values.size() > 1) {
      throw invalid("send " + name + " once");
    }
    return values.isEmpty() ? null : values.get(0).trim();
  }

  private static KvException invalid(String message) {
    return KvException.badRequest("invalid_header", message);
  }
}
