package io.samzakv.node;

/** Why the node cannot start, in one line that names the setting at fault. */
public final class StartupException extends RuntimeException {
  public StartupException(String setting, String problem, Throwable cause) {
    super(setting + ": " + problem, cause);
  }
}
