package io.samzakv.kv;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A validated key: 1..511 bytes of well-formed UTF-8 (LMDB's key limit), kept both as text (for
 * JSON and the cache) and as bytes (for storage, ordering and hashing).
 */
public record Key(String text, byte[] utf8) {
  public static final int MAX_BYTES = 511;

  /** Validates raw bytes, e.g. a percent-decoded URL path. */
  public static Key fromUtf8(byte[] utf8) {
    checkLength(utf8.length);
    return new Key(Utf8.decode(utf8, "invalid_key", "key"), utf8);
  }

  /** Validates text, e.g. a key from a JSON body; lone surrogates are refused, not replaced. */
  public static Key of(String text) {
    if (text == null) {
      throw KvException.badRequest("invalid_key", "key is missing");
    }
    if (!hasSurrogates(text)) {
      // Without surrogates every char encodes, so the fast encoder cannot replace anything.
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      checkLength(utf8.length);
      return new Key(text, utf8);
    }
    try {
      ByteBuffer encoded =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(text));
      byte[] utf8 = new byte[encoded.remaining()];
      encoded.get(utf8);
      checkLength(utf8.length);
      return new Key(text, utf8);
    } catch (CharacterCodingException e) {
      throw KvException.badRequest("invalid_key", "key is not valid Unicode text");
    }
  }

  private static boolean hasSurrogates(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isSurrogate(text.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private static void checkLength(int length) {
    if (length == 0) {
      throw KvException.badRequest("invalid_key", "key is empty");
    }
    if (length > MAX_BYTES) {
      throw KvException.badRequest(
          "invalid_key", "key is " + length + " bytes; at most " + MAX_BYTES + " are allowed");
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
