package io.samzakv.process;

import static org.awaitility.Awaitility.await;

import io.samzakv.testing.TestNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * One {@code java -jar samza-kv.jar} child process, started the way an operator would: the same
 * {@code java} as this JVM, settings from {@code KV_*} variables, stdout and stderr in files next
 * to its data so that a failed assertion can show them. Closing it kills it.
 */
final class KvProcess implements AutoCloseable {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private static final AtomicInteger LAUNCHES = new AtomicInteger();
  private static final HttpClient PROBE =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  /** Nodes not yet known dead, killed if this JVM goes first (a CI timeout, a Ctrl-C). */
  private static final java.util.Set<Process> LIVE =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill-test-nodes"));
  }

  private final Process process;
  private final Path stdout;
  private final Path stderr;
  private final int httpPort;

  private KvProcess(Process process, Path stdout, Path stderr, int httpPort) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
    this.httpPort = httpPort;
  }

  /** Settings for a node on free ports with its data in {@code dataDir}; mutable, add more. */
  static Map<String, String> env(Path dataDir) {
    Map<String, String> env = new HashMap<>();
    env.put("KV_HTTP_PORT", Integer.toString(TestNode.freePort()));
    env.put("KV_CLUSTER_PORT", Integer.toString(TestNode.freePort()));
    env.put("KV_DATA_DIR", dataDir.toString());
    return env;
  }

  /** Starts the jar in {@code workDir} with exactly these {@code KV_*} variables. */
  /** The op-log segment of {@code dataDir} that a node appends to: the one named last. */
  static Path newestSegment(Path dataDir) throws IOException {
    try (Stream<Path> files = Files.list(dataDir.resolve("oplog"))) {
      return files
          .filter(file -> file.getFileName().toString().endsWith(".log"))
          .max(Comparator.comparing(file -> file.getFileName().toString()))
          .orElseThrow();
    }
  }

  static KvProcess start(Path workDir, Map<String, String> env, String... args) {
    String port = env.get("KV_HTTP_PORT");
    return start(workDir, port == null ? -1 : Integer.parseInt(port), env, args);
  }

  /** As {@link #start(Path, Map, String...)} for a node that gets its HTTP port elsewhere. */
  static KvProcess start(Path workDir, int httpPort, Map<String, String> env, String... args) {
    return start(workDir, httpPort, env, List.of(), args);
  }

  /** As {@link #start(Path, Map, String...)} with extra JVM options ({@code -Dname=value}). */
  static KvProcess start(
      Path workDir,
      int httpPort,
      Map<String, String> env,
      List<String> jvmOptions,
      String... args) {
    String jar = System.getProperty("samzakv.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "system property samzakv.jar must name the fat jar (run via mvn verify), got " + jar);
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    int launch = LAUNCHES.incrementAndGet();
    Path out = workDir.resolve("node-" + launch + ".stdout");
    Path err = workDir.resolve("node-" + launch + ".stderr");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(java, "-Xmx512m", "-Dhazelcast.phone.home.enabled=false"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", Path.of(jar).toAbsolutePath().toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    // Whatever the CI machine exports must not leak into the node's settings.
    builder.environment().keySet().removeIf(name -> name.startsWith("KV_"));
    builder.environment().putAll(env);
    try {
      Process process = builder.start();
      LIVE.add(process);
      process.onExit().thenAccept(LIVE::remove);
      return new KvProcess(process, out, err, httpPort);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + httpPort + pathAndQuery);
  }

  int httpPort() {
    return httpPort;
  }

  /** Polls {@code GET /ready} until 200; fails at once, with the node's output, if it exits. */
  KvProcess awaitReady() {
    try {
      await("node on port " + httpPort + " ready")
          .atMost(READY_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .failFast("node exited before it was ready", () -> !process.isAlive())
          .until(() -> status("/ready") == 200);
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      throw new AssertionError(e.getMessage() + "\n" + describe(), e);
    }
    return this;
  }

  /** The status of a GET, or -1 when nothing answers. */
  int status(String path) {
    try {
      return PROBE
          .send(
              HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** SIGKILL: the crash that durability has to survive. */
  void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(30));
  }

  /** SIGTERM: the operator's stop. Returns the exit code. */
  int terminate(Duration within) {
    process.destroy();
    return awaitExit(within);
  }

  /** Waits for the process to end by itself; fails with its output if it does not. */
  int awaitExit(Duration within) {
    try {
      if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("node still running after " + within + "\n" + describe());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String stdout() {
    return read(stdout);
  }

  String stderr() {
    return read(stderr);
  }

  /** The non-blank lines the node wrote to stderr. */
  List<String> stderrLines() {
    return stderr().lines().filter(line -> !line.isBlank()).toList();
  }

  /** Exit state, stderr, and the tail of stdout: what to print when an assertion fails. */
  String describe() {
    List<String> out = stdout().lines().toList();
    String tail = String.join("\n", out.subList(Math.max(0, out.size() - 60), out.size()));
    return "--- node pid "
        + process.pid()
        + (process.isAlive() ? " (running)" : " (exit " + process.exitValue() + ")")
        + "\n--- stderr ("
        + stderr
        + "):\n"
        + stderr()
        + "\n--- stdout, last 60 lines ("
        + stdout
        + "):\n"
        + tail
        + "\n---";
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "<unreadable: " + e + ">";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
