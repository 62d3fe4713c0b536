package io.samzakv.testing.linearizability;

/**
 * What a client learned about one operation. Only {@link Unknown} leaves open whether the operation
 * took effect; every other outcome is definite.
 */
public sealed interface Outcome {

  /**
   * The operation took effect. A read carries the value and version it saw; a write or CAS the
   * version it created (value null); a delete neither (null, 0).
   */
  record Ok(String value, long version) implements Outcome {}

  /** A read found the key absent, or a delete found nothing to delete. */
  record NotFound() implements Outcome {}

  /** A CAS was refused ({@code 412}) because the key was at {@code currentVersion}. */
  record Mismatch(long currentVersion) implements Outcome {}

  /**
   * No answer, or one that does not say (timeout, connection error, 5xx): the operation may have
   * taken effect at any time after its invocation, or never.
   */
  record Unknown(String cause) implements Outcome {}

  static Outcome read(String value, long version) {
    return new Ok(value, version);
  }

  static Outcome written(long version) {
    return new Ok(null, version);
  }

  static Outcome deleted() {
    return new Ok(null, 0);
  }

  static Outcome notFound() {
    return new NotFound();
  }

  static Outcome mismatch(long currentVersion) {
    return new Mismatch(currentVersion);
  }

  static Outcome unknown(String cause) {
    return new Unknown(cause);
  }
}
