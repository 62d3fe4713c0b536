package io.samzakv.api.http;

import io.samzakv.kv.KvException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Strict percent-decoding to bytes: {@code %XY} must have two hex digits, and {@code +} stays a
 * plus in paths (it means a space only in query strings, as in Go's and Consul's parsers).
 */
final class PercentDecoding {
  private PercentDecoding() {}

  static byte[] decode(String text, boolean plusIsSpace) {
    if (isPlainAscii(text, plusIsSpace)) {
      // The common case on the hot path: nothing to decode.
      return text.getBytes(StandardCharsets.ISO_8859_1);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%') {
        if (i + 2 >= text.length()) {
          throw malformed();
        }
        int high = Character.digit(text.charAt(i + 1), 16);
        int low = Character.digit(text.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          throw malformed();
        }
        out.write(high << 4 | low);
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        out.write(' ');
      } else if (c <= 0xFF) {
        // Netty reads the request line byte by byte into chars, so a raw byte is one char.
        out.write(c);
      } else {
        throw malformed();
      }
    }
    return out.toByteArray();
  }

  private static boolean isPlainAscii(String text, boolean plusIsSpace) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%' || c >= 0x80 || (plusIsSpace && c == '+')) {
        return false;
      }
    }
    return true;
  }

  private static KvException malformed() {
    return KvException.badRequest("invalid_encoding", "malformed percent-encoding");
  }
}
