package io.samzakv.kv;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding: malformed input is the client's 400, never replaced with U+FFFD. */
public final class Utf8 {
  private Utf8() {}

  /** The text of {@code bytes}; {@code what} names them in the error. */
  public static String decode(byte[] bytes, String errorCode, String what) {
    // Fast path for the hot request path: the lenient decoder turns every malformed sequence into
    // U+FFFD, so output without one came from well-formed input. Only otherwise decode strictly.
    String lenient = new String(bytes, StandardCharsets.UTF_8);
    if (lenient.indexOf('\uFFFD') < 0) {
      return lenient;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw KvException.badRequest(errorCode, what + " is not valid UTF-8");
    }
  }
}
