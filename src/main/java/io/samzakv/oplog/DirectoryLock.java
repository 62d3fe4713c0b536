package io.samzakv.oplog;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a log directory, held while an {@link OpLog} has it open: two writers
 * appending to one segment would interleave frames and number records twice.
 *
 * <p>Thread contract: acquired and closed by the thread opening and closing the log.
 */
final class DirectoryLock implements AutoCloseable {

  private final FileChannel channel;

  private DirectoryLock(FileChannel channel) {
    this.channel = channel;
  }

  /** Locks {@code dir}, failing at once if this or another process holds it. */
  static DirectoryLock acquire(Path dir) throws IOException {
    FileChannel channel =
        FileChannel.open(
            dir.resolve("oplog.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by another OpLog in this JVM
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new IOException("op log directory " + dir + " is already open");
    }
    return new DirectoryLock(channel);
  }

  /** Releases the lock (closing the channel does). */
  @Override
  public void close() throws IOException {
    channel.close();
  }
}
