package io.samzakv.oplog;

import java.time.Duration;
import java.util.Objects;

/**
 * How the op log syncs and how large its segment files grow.
 *
 * @param fsync when commits are made durable
 * @param segmentBytes a commit that would take the active segment past this many bytes rolls to a
 *     new one first (a commit bigger than this gets a segment of its own)
 * @param fsyncInterval how often {@link FsyncPolicy#INTERVAL} fsyncs; ignored by the other policies
 */
public record OpLogOptions(FsyncPolicy fsync, long segmentBytes, Duration fsyncInterval) {

  public OpLogOptions {
    Objects.requireNonNull(fsync, "fsync");
    if (segmentBytes <= 0) {
      throw new IllegalArgumentException("segmentBytes must be positive: " + segmentBytes);
    }
    if (fsync == FsyncPolicy.INTERVAL
        && (fsyncInterval == null || fsyncInterval.isZero() || fsyncInterval.isNegative())) {
      throw new IllegalArgumentException(
          "INTERVAL needs a positive fsyncInterval: " + fsyncInterval);
    }
  }
}
