package io.samzakv.oplog;

/**
 * One record: position is the record's log sequence number (LSN), starting at 1, +1 per record,
 * never reused. value is null for DELETE.
 */
public record LogRecord(long position, int partition, LogOp op, byte[] key, byte[] value) {}
