package io.samzakv.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted for one test: a disk that fills (or is read-only) on purpose. Mounting
 * needs root, which CI has; elsewhere the test is skipped with a message instead of failing.
 */
public final class Tmpfs implements AutoCloseable {
  private final Path path;

  private Tmpfs(Path path) {
    this.path = path;
  }

  /**
   * Mounts a tmpfs with {@code options} (e.g. {@code size=20m}) on a new directory {@code dir}, or
   * skips the calling test when it cannot.
   */
  public static Tmpfs mountOrSkip(Path dir, String options) throws IOException {
    Path path = Files.createDirectories(dir);
    Assumptions.assumeTrue(
        run("mount", "-t", "tmpfs", "-o", options, "tmpfs", path.toString()) == 0,
        "mounting a tmpfs needs root; skipped here (CI runs it)");
    return new Tmpfs(path);
  }

  public Path path() {
    return path;
  }

  /** Remounts with other options, e.g. a larger {@code size=}: more free space at once. */
  public void remount(String options) throws IOException {
    if (run("mount", "-o", "remount," + options, path.toString()) != 0) {
      throw new IllegalStateException("could not remount " + path + " with " + options);
    }
  }

  /** Unmounts lazily, so a process still holding a file there cannot keep the mount alive. */
  @Override
  public void close() throws IOException {
    run("umount", "-l", path.toString());
  }

  private static int run(String... command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      int exit = process.waitFor();
      if (exit != 0) {
        System.out.println(String.join(" ", command) + " exited " + exit + ": " + output.strip());
      }
      return exit;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running " + command[0], e);
    }
  }
}
