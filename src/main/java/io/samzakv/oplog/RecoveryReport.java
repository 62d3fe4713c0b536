package io.samzakv.oplog;

import java.nio.file.Path;

/**
 * What recovery found when opening the log. tornTail: true when a torn tail was truncated;
 * file/offset/bytesTruncated say where (null, 0 and 0 when there was no torn tail). lastPosition is
 * the position of the last intact record (0 when the log is empty).
 */
public record RecoveryReport(
    boolean tornTail, Path file, long offset, long bytesTruncated, long lastPosition) {

  static RecoveryReport clean(long lastPosition) {
    return new RecoveryReport(false, null, 0, 0, lastPosition);
  }
}
