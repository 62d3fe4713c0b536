package io.samzakv.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/cluster} as an operator runs it: {@code start 2} leaves two ready nodes that form one
 * cluster, {@code stop} ends both with SIGTERM and waits for them.
 */
class ClusterScriptIT {
  private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path dir;

  /** Every node pid seen, killed after the test whatever happened to the script. */
  private final List<Long> pids = new ArrayList<>();

  @AfterEach
  void killLeftovers() throws IOException {
    pids.addAll(pidFiles());
    pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  @Test
  void startsTwoNodesThatFormOneClusterAndStopsThem() throws Exception {
    int base = freePortRange(4);

    Script start =
        run("start", "2", "--dir", dir.toString(), "--base-port", Integer.toString(base));
    pids.addAll(pidFiles());

    assertThat(start.exitCode()).as(start.output()).isZero();
    List<String> urls = List.of("http://127.0.0.1:" + base, "http://127.0.0.1:" + (base + 1));
    assertThat(start.output()).contains(urls);
    assertThat(pids).hasSize(2);
    for (String url : urls) {
      assertThat(get(url + "/ready").statusCode()).isEqualTo(200);
      await("both members listed by " + url)
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(
                          new JsonObject(get(url + "/v1/cluster").body())
                              .getJsonArray("members").stream()
                                  .map(member -> ((JsonObject) member).getString("id")))
                      .containsExactlyInAnyOrder("node-1", "node-2"));
    }

    Script stop = run("stop", "--dir", dir.toString());

    assertThat(stop.exitCode()).as(stop.output()).isZero();
    assertThat(stop.output()).contains("stopped 2 nodes");
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("pid " + pid).isEmpty();
    }
    assertThat(pidFiles()).isEmpty();
  }

  private record Script(int exitCode, String output) {}

  /** Runs bin/cluster with no {@code KV_*} from this JVM's environment but the jar under test. */
  private Script run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bin/cluster"));
    command.addAll(List.of(args));
    Path output = Files.createTempFile(dir, "cluster-", ".out");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("KV_"));
    builder.environment().put("KV_JAR", System.getProperty("samzakv.jar"));
    builder.environment().put("JAVA_OPTS", "-Xmx512m");
    Process script = builder.start();
    if (!script.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      script.destroyForcibly();
      throw new AssertionError(
          "bin/cluster " + String.join(" ", args) + " still running after " + SCRIPT_TIMEOUT);
    }
    return new Script(script.exitValue(), Files.readString(output));
  }

  private List<Long> pidFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(file -> file.getFileName().toString().endsWith(".pid"))
          .map(ClusterScriptIT::readPid)
          .toList();
    }
  }

  private static long readPid(Path file) {
    try {
      return Long.parseLong(Files.readString(file).strip());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The first of {@code count} consecutive ports that are all free on 127.0.0.1 right now. */
  private static int freePortRange(int count) {
    for (int attempt = 0; attempt < 100; attempt++) {
      int first = ThreadLocalRandom.current().nextInt(20_000, 60_000);
      if (IntStream.range(first, first + count).allMatch(ClusterScriptIT::isFree)) {
        return first;
      }
    }
    throw new IllegalStateException("no " + count + " consecutive free ports found");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
