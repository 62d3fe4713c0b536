package io.samzakv.kv;

/** The outcome of an accepted put: the key and its new version. */
public record WriteResult(String key, long version) {

  /** Whether the put created the key; versions restart at 1 after a delete, so 1 means created. */
  public boolean created() {
    return version == 1;
  }
}
