package io.samzakv.kv;

/**
 * A write's condition on the key's current version (absent = 0): none, an exact version ({@code
 * If-Match: "n"}), or absence ({@code If-None-Match: *}).
 */
public record Precondition(Long ifVersion, boolean ifAbsent) {
  public static final Precondition NONE = new Precondition(null, false);
  public static final Precondition ABSENT = new Precondition(null, true);

  public static Precondition ifVersion(long version) {
    return new Precondition(version, false);
  }

  /** Whether a write may go ahead when the key is at {@code currentVersion}. */
  public boolean allows(long currentVersion) {
    if (ifAbsent && currentVersion != 0) {
      return false;
    }
    return ifVersion == null || ifVersion == currentVersion;
  }
}
