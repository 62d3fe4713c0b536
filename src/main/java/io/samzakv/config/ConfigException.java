package io.samzakv.config;

/** A setting that cannot be used; the message names the setting, so it fits on one stderr line. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String setting, String problem) {
    super(setting + ": " + problem);
  }
}
