package io.samzakv.kv;

/**
 * A request that cannot be served, carrying what both APIs need to answer it: the HTTP status (also
 * the event-bus failure code), a stable error code and, for version mismatches, the key's current
 * version.
 */
public final class KvException extends RuntimeException {
  private final int status;
  private final String code;
  private final Long currentVersion;

  private KvException(int status, String code, String message, Long currentVersion) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.currentVersion = currentVersion;
  }

  /**
   * The failure another node answered with, rebuilt from its status, code, message and current
   * version, so a forwarded request fails as if it had been served here.
   */
  public static KvException of(int status, String code, String message, Long currentVersion) {
    return new KvException(status, code, message, currentVersion);
  }

  public static KvException badRequest(String code, String message) {
    return new KvException(400, code, message, null);
  }

  public static KvException notFound() {
    return notFound("key not found");
  }

  public static KvException notFound(String message) {
    return new KvException(404, "not_found", message, null);
  }

  public static KvException methodNotAllowed() {
    return new KvException(405, "method_not_allowed", "method not allowed on this path", null);
  }

  public static KvException versionMismatch(long currentVersion) {
    return new KvException(
        412, "version_mismatch", "the key's current version is " + currentVersion, currentVersion);
  }

  public static KvException conflict(String code, String message) {
    return new KvException(409, code, message, null);
  }

  public static KvException tooLarge(String message) {
    return new KvException(413, "too_large", message, null);
  }

  public static KvException unavailable(String message) {
    return new KvException(503, "unavailable", message, null);
  }

  /**
   * 503 from a member that does not serve the partition (any more): the caller looks at the newest
   * partition table and asks the primary it names.
   */
  public static KvException notPrimary(String message) {
    return new KvException(503, "not_primary", message, null);
  }

  /** 507: the disk has no room for the write (etcd's NOSPACE); nothing of it was stored. */
  public static KvException noSpace(String message) {
    return new KvException(507, "no_space", message, null);
  }

  /**
   * A partition whose stored data is damaged: unavailable (503, so clients retry elsewhere or
   * later) until it is repaired, never "not found".
   */
  public static KvException partitionCorrupt(String message) {
    return new KvException(503, "partition_corrupt", message, null);
  }

  public static KvException corrupt(String message) {
    return new KvException(500, "corrupt", message, null);
  }

  public static KvException internal(String message) {
    return new KvException(500, "internal", message, null);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** The key's version when a precondition failed, else null. */
  public Long currentVersion() {
    return currentVersion;
  }
}
