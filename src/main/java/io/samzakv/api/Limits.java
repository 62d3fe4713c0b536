package io.samzakv.api;

import io.samzakv.kv.KvException;

/** The bounds every API applies to request parameters. */
public final class Limits {
  public static final int SCAN_DEFAULT_LIMIT = 1000;
  public static final int SCAN_MAX_LIMIT = 10_000;
  public static final int BATCH_MAX_OPS = 1000;
  public static final long LOCK_DEFAULT_TTL_MS = 30_000;
  public static final long LOCK_MAX_TTL_MS = 24L * 3600 * 1000;
  public static final long LOCK_MAX_WAIT_MS = 60_000;

  private Limits() {}

  public static long within(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw KvException.badRequest(
          "invalid_request", name + " must be between " + min + " and " + max);
    }
    return value;
  }
}
