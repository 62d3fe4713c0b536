package io.samzakv.oplog;

import io.samzakv.disk.DiskSpace;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Allocates a segment's blocks ahead of its records; {@link DiskSpace#allocate} in production, a
 * seam through which tests make the disk "full".
 */
@FunctionalInterface
interface SpaceAllocator {
  SpaceAllocator DISK = DiskSpace::allocate;

  /** See {@link DiskSpace#allocate}: throws NoSpaceException when the file system is full. */
  void allocate(Path file, long offset, long length) throws IOException;
}
