package io.samzakv.oplog;

import java.nio.file.Path;
import java.util.List;

/**
 * What recovery found when opening the log. tornTail: true when a torn tail was truncated;
 * file/offset/bytesTruncated say where (null, 0 and 0 when there was no torn tail). lastPosition is
 * the position the log numbers on after: its last intact record, or the store's applied position
 * when that is further (0 for an empty log and store). skippedRecords and skippedBytes count the
 * damage recovery stepped over because the store already held every record in it; quarantined names
 * the segments it moved aside as {@code *.damaged} because of that damage.
 */
public record RecoveryReport(
    boolean tornTail,
    Path file,
    long offset,
    long bytesTruncated,
    long lastPosition,
    long skippedRecords,
    long skippedBytes,
    List<Path> quarantined) {

  public RecoveryReport {
    quarantined = List.copyOf(quarantined);
  }

  static RecoveryReport clean(long lastPosition) {
    return new RecoveryReport(false, null, 0, 0, lastPosition, 0, 0, List.of());
  }
}
