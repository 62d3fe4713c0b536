package io.samzakv.api;

import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.vertx.core.json.JsonObject;
import java.util.Base64;

/**
 * Reads the fields of JSON requests (event-bus messages and batch ops) strictly: a missing or
 * mistyped field is a 400 naming it, never a 500.
 */
public final class JsonRequests {
  private JsonRequests() {}

  public static Key key(JsonObject json) {
    return Key.of(string(json, "key", true));
  }

  /** The base64 {@code value} field, decoded. */
  public static byte[] value(JsonObject json) {
    String encoded = string(json, "value", true);
    try {
      return Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw KvException.badRequest("invalid_value", "value is not valid base64");
    }
  }

  /** {@code if_version} (a version, 0 = absent) and {@code if_absent} (true = must not exist). */
  public static Precondition precondition(JsonObject json) {
    Object ifVersion = json.getValue("if_version");
    Object ifAbsent = json.getValue("if_absent");
    if (ifAbsent != null && !(ifAbsent instanceof Boolean)) {
      throw KvException.badRequest("invalid_request", "if_absent must be true or false");
    }
    if (ifVersion != null && ifAbsent != null && (Boolean) ifAbsent) {
      throw KvException.badRequest("invalid_request", "give if_version or if_absent, not both");
    }
    if (Boolean.TRUE.equals(ifAbsent)) {
      return Precondition.ABSENT;
    }
    if (ifVersion == null) {
      return Precondition.NONE;
    }
    if (!(ifVersion instanceof Number number)
        || number.longValue() < 0
        || number.doubleValue() != number.longValue()) {
      throw KvException.badRequest("invalid_request", "if_version must be a whole number >= 0");
    }
    return Precondition.ifVersion(number.longValue());
  }

  /** A string field; null when absent and not required. */
  public static String string(JsonObject json, String field, boolean required) {
    Object value = json.getValue(field);
    if (value == null) {
      if (required) {
        throw KvException.badRequest("invalid_request", field + " is missing");
      }
      return null;
    }
    if (!(value instanceof String text)) {
      throw KvException.badRequest("invalid_request", field + " must be a string");
    }
    return text;
  }

  /** A whole-number field within bounds, or the fallback when absent. */
  public static long number(JsonObject json, String field, long fallback, long min, long max) {
    Object value = json.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number number) || number.doubleValue() != number.longValue()) {
      throw KvException.badRequest("invalid_request", field + " must be a whole number");
    }
    return Limits.within(field, number.longValue(), min, max);
  }
}
