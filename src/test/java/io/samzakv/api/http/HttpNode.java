package io.samzakv.api.http;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.samzakv.testing.TestNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link TestNode} per test class, with a client for it: started before the class's first test
 * on a fresh temp dir, and stopped, dir and all, after its last. Register it on a static field:
 *
 * <pre>{@code @RegisterExtension static final HttpNode node = new HttpNode(Map.of(...));}</pre>
 */
final class HttpNode implements BeforeAllCallback, AfterAllCallback {
  /** How long start-up may take, as the {@code @Timeout} on each class's start-up had it. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Map<String, String> env;
  private Path dataDir;
  private TestNode node;
  private KvHttp http;

  /** A node with {@code env} overriding the defaults, as {@link TestNode#start(Path, Map)}. */
  HttpNode(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    dataDir = Files.createTempDirectory(context.getRequiredTestClass().getSimpleName());
    node =
        assertTimeoutPreemptively(
            START_TIMEOUT, () -> TestNode.start(dataDir, env), "node start-up");
    http = new KvHttp(node);
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      node = null;
      http = null;
      if (dataDir != null) {
        deleteRecursively(dataDir);
        dataDir = null;
      }
    }
  }

  TestNode node() {
    return Objects.requireNonNull(node, "the node is not running");
  }

  KvHttp http() {
    return Objects.requireNonNull(http, "the node is not running");
  }

  int httpPort() {
    return node().httpPort();
  }

  private static void deleteRecursively(Path root) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path path : paths) {
      Files.delete(path);
    }
  }
}
