package io.samzakv.disk;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The file system could not give the space a write needs. Thrown before anything of that write
 * reached a file, so the caller can refuse the write and carry on: nothing is out of step.
 */
public final class NoSpaceException extends UncheckedIOException {

  public NoSpaceException(String message, IOException cause) {
    super(message, cause);
  }
}
