package io.samzakv.oplog;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown by {@link OpLog#open} when a record in the middle of the log is bad: unlike a torn tail,
 * records written after it would be lost by truncating, so an operator has to decide. The message
 * names the file and byte offset.
 */
public final class CorruptLogException extends IOException {

  private final transient Path file;
  private final long offset;

  CorruptLogException(Path file, long offset, String reason) {
    super("corrupt op log record in " + file + " at byte offset " + offset + ": " + reason);
    this.file = file;
    this.offset = offset;
  }

  /** The segment file holding the bad record. */
  public Path file() {
    return file;
  }

  /** Byte offset in {@link #file()} where the bad record starts. */
  public long offset() {
    return offset;
  }
}
