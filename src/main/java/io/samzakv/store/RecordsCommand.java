package io.samzakv.store;

import io.samzakv.oplog.LogRecord;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Records a primary shipped to this replica, in their partitions' order, with the leader epoch the
 * primary sends each partition under ({@code fences}); the future completes once they are durable
 * in this node's op log (they are applied right after, in log order).
 */
record RecordsCommand(
    Map<Integer, Long> fences, List<LogRecord> records, CompletableFuture<Void> result)
    implements PipelineCommand {

  @Override
  public long bytes() {
    long bytes = 0;
    for (LogRecord record : records) {
      bytes += record.key().length + (record.value() == null ? 0 : record.value().length);
    }
    return bytes;
  }
}
