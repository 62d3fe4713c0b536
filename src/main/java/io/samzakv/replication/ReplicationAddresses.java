package io.samzakv.replication;

/** The event-bus addresses a member listens on for replication, each named after its node id. */
final class ReplicationAddresses {
  private ReplicationAddresses() {}

  /** Records a primary ships to this member as a replica. */
  static String records(String nodeId) {
    return "kv.repl.records." + nodeId;
  }

  /** A replica asking this member, as primary, to be brought up to date. */
  static String attach(String nodeId) {
    return "kv.repl.attach." + nodeId;
  }

  /** Chunks of a partition's snapshot sent to this member. */
  static String snapshot(String nodeId) {
    return "kv.repl.snapshot." + nodeId;
  }

  /** A replica telling this member, as primary, that it holds everything shipped to it. */
  static String caughtUp(String nodeId) {
    return "kv.repl.caughtup." + nodeId;
  }
}
