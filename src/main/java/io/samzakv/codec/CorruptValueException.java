package io.samzakv.codec;

/** Stored value bytes failed verification; the message says which check failed. */
public final class CorruptValueException extends RuntimeException {

  public CorruptValueException(String message) {
    super(message);
  }

  public CorruptValueException(String message, Throwable cause) {
    super(message, cause);
  }
}
