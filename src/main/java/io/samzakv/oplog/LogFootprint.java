package io.samzakv.oplog;

/** What the op log occupies on disk: its segment files and their total length in bytes. */
public record LogFootprint(int segments, long bytes) {}
