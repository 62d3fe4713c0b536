package io.samzakv.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Scratch directories under {@code java.io.tmpdir}, one per trial, deleted in its tear-down. */
final class Scratch {

  private Scratch() {}

  static Path create(String prefix) throws IOException {
    return Files.createTempDirectory("samza-kv-jmh-" + prefix + "-");
  }

  /** Deletes dir and everything in it, deepest first. */
  static void delete(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
