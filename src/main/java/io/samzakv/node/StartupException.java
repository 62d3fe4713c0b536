package io.samzakv.node;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Why the node cannot start, in one line that names the setting at fault. */
public final class StartupException extends RuntimeException {
  public StartupException(String setting, String problem, Throwable cause) {
    super(setting + ": " + problem, cause);
  }

  /**
   * A failure in words for that one line: the innermost cause's message, with the file it concerns
   * where there is one (a bare {@code AccessDeniedException}'s message is only the path, with no
   * word of what went wrong), never a stack trace.
   */
  static String describe(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text;
    if (root instanceof FileSystemException file) {
      String what;
      if (file instanceof AccessDeniedException) {
        what = "permission denied";
      } else if (file instanceof FileAlreadyExistsException) {
        what = "exists and is not a directory";
      } else if (file instanceof NoSuchFileException) {
        what = "no such file or directory";
      } else if (file instanceof NotDirectoryException) {
        what = "not a directory";
      } else {
        what = file.getReason() != null ? file.getReason() : root.getClass().getSimpleName();
      }
      text =
          file.getFile()
              + (file.getOtherFile() == null ? "" : " -> " + file.getOtherFile())
              + ": "
              + what;
    } else {
      text =
          root.getMessage() == null
              ? root.getClass().getSimpleName()
              : root.getClass().getSimpleName() + ": " + root.getMessage();
    }
    return text.replaceAll("\\R", " ");
  }
}
