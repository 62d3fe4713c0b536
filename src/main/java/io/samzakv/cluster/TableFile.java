package io.samzakv.cluster;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The last partition table this member adopted, kept in {@code <dataDir>/cluster/table.json} so a
 * restarted member (or a whole cluster restarted at once) knows which epoch it last acted on.
 *
 * <p>Written as a whole or not at all: the new table goes to a temporary file that is fsynced,
 * renamed over the old one, and the directory fsynced, so a crash leaves either the old table or
 * the new one, never a torn one. A temporary file left by a crash is ignored and overwritten.
 *
 * <p>Thread contract: blocking file I/O, off the event loop; callers serialise writes.
 */
public final class TableFile {
  private final Path dir;
  private final Path file;
  private final Path temporary;

  public TableFile(Path dataDir) {
    this.dir = dataDir.resolve("cluster");
    this.file = dir.resolve("table.json");
    this.temporary = dir.resolve("table.json.tmp");
  }

  public Path path() {
    return file;
  }

  /**
   * The saved table, or null if none was saved.
   *
   * @throws IOException when the file cannot be read or does not hold a table (the message names
   *     the file)
   */
  public PartitionTable read() throws IOException {
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    }
    try {
      return PartitionTable.fromJson(new JsonObject(json));
    } catch (RuntimeException e) {
      throw new IOException(
          "the saved partition table " + file + " is damaged (" + e.getMessage() + ")", e);
    }
  }

  /** Replaces the saved table with {@code table}, durably, before returning. */
  public void write(PartitionTable table) throws IOException {
    Files.createDirectories(dir);
    byte[] bytes = table.toJson().encode().getBytes(StandardCharsets.UTF_8);
    try (FileChannel channel =
        FileChannel.open(
            temporary,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    // The rename itself is durable only once the directory is.
    try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
      directory.force(true);
    }
  }
}
