package io.samzakv.oplog;

/** When {@link OpLog#commitNow()} forces committed records to stable storage. */
public enum FsyncPolicy {
  /** Every commit fsyncs before it returns; the caller batches appends to share one fsync. */
  ALWAYS,
  /** Commits return at once; a background thread fsyncs every {@code fsyncInterval}. */
  INTERVAL,
  /** Commits return at once; the log fsyncs only when it is closed. */
  NEVER
}
