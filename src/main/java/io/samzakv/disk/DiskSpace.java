package io.samzakv.disk;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import jnr.constants.platform.Errno;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;

/**
 * Allocates a file's blocks ahead of the writes that will fill them ({@code posix_fallocate}), so
 * that running out of disk shows up here, as a {@link NoSpaceException} before anything is written,
 * and never later: as a SIGBUS when a page of a writable memory map lands in a hole of a sparse
 * file, or as a half-written record.
 *
 * <p>Where the C library or the file system cannot preallocate (no {@code posix_fallocate}, a file
 * system that refuses it), this logs one warning and reserves nothing; the writes still work, only
 * without that protection. Copy-on-write file systems (btrfs, ZFS) accept the call but cannot keep
 * the promise for rewritten blocks.
 *
 * <p>Thread contract: stateless apart from the once-only warning; safe for any thread.
 */
public final class DiskSpace {
  private static final System.Logger LOG = System.getLogger(DiskSpace.class.getName());
  private static final int O_RDWR = 2;
  private static final int O_CLOEXEC = 0x80000;
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  /**
   * Ranges are allocated this much at a time: a file system may keep what a failed call allocated
   * before it ran out (ext4 and XFS do; tmpfs gives it back), so one call for a large range could
   * take the rest of the disk and fail anyway. Chunked, a failure keeps less than one chunk more
   * than the ranges before it, which the caller wanted anyway.
   */
  static final long CHUNK_BYTES = 8L << 20;

  /** The three calls of the C library this needs. */
  public interface LibC {
    @SaveError
    int open(String path, int flags, int mode);

    int posix_fallocate(int fd, long offset, long length);

    int close(int fd);
  }

  private DiskSpace() {}

  /**
   * Makes sure the blocks of {@code file} in {@code [offset, offset + length)} are allocated,
   * growing the file when that range ends past it. Blocks already allocated stay as they are, data
   * included. On failure a prefix of the range may be allocated (see {@link #CHUNK_BYTES}).
   *
   * @throws NoSpaceException when the file system has no room (ENOSPC, or EDQUOT for a quota)
   * @throws IOException when the file cannot be opened or the allocation fails otherwise
   */
  public static void allocate(Path file, long offset, long length) throws IOException {
    LibC libc = Native.LIBC;
    if (libc == null) {
      warnOnce("the C library's posix_fallocate could not be loaded (" + Native.PROBLEM + ")");
      return;
    }
    int fd = libc.open(file.toString(), O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) {
      throw new IOException(
          "cannot open " + file + " to allocate its space: " + describe(errno(libc)));
    }
    int error = 0;
    try {
      for (long at = offset; at < offset + length && error == 0; at += CHUNK_BYTES) {
        error = libc.posix_fallocate(fd, at, Math.min(CHUNK_BYTES, offset + length - at));
      }
    } finally {
      libc.close(fd);
    }
    if (error == 0) {
      return;
    }
    Errno errno = Errno.valueOf(error);
    if (errno == Errno.ENOSPC || errno == Errno.EDQUOT) {
      throw new NoSpaceException(
          "no space on the file system for "
              + length
              + " bytes of "
              + file
              + " from offset "
              + offset,
          new IOException(file + ": posix_fallocate: " + describe(error)));
    }
    if (errno == Errno.EOPNOTSUPP || errno == Errno.ENOSYS || errno == Errno.EINVAL) {
      warnOnce("the file system of " + file + " cannot preallocate (" + describe(error) + ")");
      return;
    }
    throw new IOException(
        "cannot allocate " + length + " bytes of " + file + ": " + describe(error));
  }

  private static int errno(LibC libc) {
    return LastError.getLastError(Runtime.getRuntime(libc));
  }

  private static String describe(int error) {
    Errno errno = Errno.valueOf(error);
    return errno == null || errno == Errno.__UNKNOWN_CONSTANT__
        ? "errno " + error
        : errno.name() + " (" + errno.description() + ")";
  }

  private static void warnOnce(String why) {
    if (WARNED.compareAndSet(false, true)) {
      LOG.log(
          Level.WARNING,
          "{0}: disk space is not reserved ahead of writes, so a full disk may crash the node",
          why);
    }
  }

  /** Loaded on first use, so a JVM that never preallocates never loads it. */
  private static final class Native {
    static final String PROBLEM;
    static final LibC LIBC;

    static {
      LibC loaded = null;
      String problem = null;
      try {
        // failImmediately: a C library without posix_fallocate (macOS) fails here, not mid-write.
        loaded = LibraryLoader.create(LibC.class).failImmediately().load("c");
      } catch (LinkageError | RuntimeException e) {
        problem = e.toString();
      }
      LIBC = loaded;
      PROBLEM = problem;
    }
  }
}
