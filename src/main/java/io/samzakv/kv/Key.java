package io.samzakv.kv;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A validated key: 1..511 bytes of well-formed UTF-8 (LMDB's key limit), kept both as text (for
 * JSON and the cache) and as bytes (for storage, ordering and hashing).
 *
 * <p>Keys that start with a NUL byte are reserved for the node's own records (locks, for one):
 * users cannot name them, as a user key never contains a NUL byte, and scans never show them. Only
 * {@link #reserved} makes one.
 */
public record Key(String text, byte[] utf8) {
  public static final int MAX_BYTES = 511;

  /** The first byte of every reserved key; it sorts the reserved space before every user key. */
  private static final char RESERVED_MARK = '\u0000';

  /** The smallest key a user can name: every user key sorts at or above it. */
  static final byte[] FIRST_USER_KEY = {1};

  /** Validates raw bytes, e.g. a percent-decoded URL path. */
  public static Key fromUtf8(byte[] utf8) {
    checkLength(utf8.length);
    for (byte b : utf8) {
      if (b == 0) {
        throw hasNul();
      }
    }
    return new Key(Utf8.decode(utf8, "invalid_key", "key"), utf8);
  }

  /**
   * A key as the store holds it, user or reserved, e.g. one a scan found: it was validated on its
   * way in, so only its encoding is checked again.
   */
  public static Key stored(byte[] utf8) {
    return new Key(Utf8.decode(utf8, "invalid_key", "key"), utf8);
  }

  /**
   * The reserved key {@code NUL + name}, for the node's own records. {@code name} starts with the
   * caller's own prefix (such as {@code lock/}), so each kind of record keeps to its own part of
   * the reserved space; what follows may be any well-formed text, user-chosen included.
   */
  public static Key reserved(String name) {
    String text = RESERVED_MARK + name;
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    checkLength(utf8.length);
    return new Key(text, utf8);
  }

  /** Whether {@code utf8} lies in the reserved space, i.e. starts with NUL. */
  static boolean isReserved(byte[] utf8) {
    return utf8.length > 0 && utf8[0] == RESERVED_MARK;
  }

  /** Validates text, e.g. a key from a JSON body; lone surrogates are refused, not replaced. */
  public static Key of(String text) {
    if (text == null) {
      throw KvException.badRequest("invalid_key", "key is missing");
    }
    if (text.indexOf(RESERVED_MARK) >= 0) {
      throw hasNul();
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

  private static KvException hasNul() {
    return KvException.badRequest("invalid_key", "key must not contain a NUL byte");
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
