package io.samzakv.oplog;

/**
 * What a log record does to its key. The byte code is part of the on-disk frame: never renumber.
 */
public enum LogOp {
  PUT((byte) 0),
  DELETE((byte) 1);

  private final byte code;

  LogOp(byte code) {
    this.code = code;
  }

  byte code() {
    return code;
  }

  /** The op with this frame code, or null for a code no version of the log ever wrote. */
  static LogOp ofCode(byte code) {
    return switch (code) {
      case 0 -> PUT;
      case 1 -> DELETE;
      default -> null;
    };
  }
}
