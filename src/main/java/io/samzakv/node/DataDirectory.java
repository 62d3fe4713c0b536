package io.samzakv.node;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The node's data directory, held exclusively: two processes on one directory would interleave
 * their op logs, so the second is refused at start-up. It also keeps the node id, so a restarted
 * node comes back as the same member.
 *
 * <p>Thread contract: opened and closed by the node's lifecycle thread.
 */
final class DataDirectory implements AutoCloseable {
  private static final String SETTING = "KV_DATA_DIR";

  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final String nodeId;

  private DataDirectory(Path root, FileChannel lockChannel, FileLock lock, String nodeId) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.nodeId = nodeId;
  }

  /** Creates and locks the directory; {@code configuredNodeId} wins over the stored one. */
  static DataDirectory open(Path root, String configuredNodeId) {
    FileChannel channel = null;
    try {
      if (Files.exists(root) && !Files.isDirectory(root)) {
        throw new StartupException(SETTING, root + " is not a directory", null);
      }
      Files.createDirectories(root);
      if (!Files.isWritable(root)) {
        throw new StartupException(SETTING, root + " is not writable", null);
      }
      channel =
          FileChannel.open(
              root.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new StartupException(SETTING, root + " is in use by another samza-kv process", null);
      }
      return new DataDirectory(root, channel, lock, nodeId(root, configuredNodeId));
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StartupException(
          SETTING, root + " cannot be used (" + StartupException.describe(e) + ")", e);
    } catch (StartupException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static String nodeId(Path root, String configured) throws IOException {
    Path file = root.resolve("NODE_ID");
    if (configured != null) {
      Files.writeString(file, configured);
      return configured;
    }
    if (Files.exists(file)) {
      return Files.readString(file).trim();
    }
    String generated = "node-" + UUID.randomUUID().toString().substring(0, 8);
    Files.writeString(file, generated);
    return generated;
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Closing only releases the lock attempt; the start-up error already says what failed.
      }
    }
  }

  Path root() {
    return root;
  }

  String nodeId() {
    return nodeId;
  }

  @Override
  public void close() throws IOException {
    lock.release();
    lockChannel.close();
  }
}
