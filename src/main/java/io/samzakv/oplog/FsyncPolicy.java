package io.samzakv.oplog;

/** When {@link OpLog#commit()} forces appended records to stable storage. */
public enum FsyncPolicy {
  /** Every commit waits for an fsync that covers it; concurrent commits share one fsync. */
  ALWAYS,
  /** Commits return at once; a background thread fsyncs every {@code fsyncInterval}. */
  INTERVAL,
  /** Commits return at once; the log fsyncs only when it is closed. */
  NEVER
}
