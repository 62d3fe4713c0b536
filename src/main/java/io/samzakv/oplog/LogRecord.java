package io.samzakv.oplog;

/**
 * One record: position is the record's log sequence number (LSN) in this node's log, starting at 1,
 * +1 per record, never reused; epoch and sequence are its place in its partition's history, the
 * same on every copy (see {@link RecordFrame}). value is null for DELETE.
 */
public record LogRecord(
    long position, int partition, long epoch, long sequence, LogOp op, byte[] key, byte[] value) {}
