package io.samzakv.oplog;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown by {@link OpLog#open(Path, OpLogOptions, io.micrometer.core.instrument.MeterRegistry,
 * long)} when a bad record held a position the store has not applied (or its extent is unknown):
 * unlike a torn tail or damage behind the store, opening past it would lose acknowledged writes, so
 * an operator has to decide ({@link LogRepair}). Also thrown by a replay that meets damage past
 * where it starts. The message names the file and byte offset.
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
