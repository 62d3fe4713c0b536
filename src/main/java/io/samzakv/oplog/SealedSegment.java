package io.samzakv.oplog;

import java.nio.file.Path;

/**
 * A segment file's extent: its records run from firstPosition to lastPosition (lastPosition is
 * firstPosition - 1 when it has none) and fill its first {@code bytes} bytes. Immutable, so a
 * snapshot of them can be read without the log's lock.
 */
record SealedSegment(Path path, long firstPosition, long lastPosition, long bytes) {}
