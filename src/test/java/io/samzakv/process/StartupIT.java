package io.samzakv.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.testing.Tmpfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 7 against the real jar: the command line (picocli), a strict config file, warnings
 * for unknown {@code KV_*} variables, and a start that fails in any way, an {@code Error} included,
 * exits 2 with one stderr line naming the file or setting, and never hangs.
 */
class StartupIT {
  /** Long enough for any start-up on a busy machine; a process still running then has hung. */
  private static final Duration NO_HANG = Duration.ofSeconds(60);

  @TempDir Path dir;

  @RegisterExtension final NodeProcesses nodes = new NodeProcesses();

  private Map<String, String> env() {
    return KvProcess.env(dir.resolve("data"));
  }

  @Test
  void helpPrintsUsageAndStartsNothing() {
    KvProcess help = nodes.start(dir, env(), "--help");

    assertThat(help.awaitExit(NO_HANG)).as(help.describe()).isZero();
    assertThat(help.stdout()).contains("Usage: samza-kv", "--conf=FILE", "--version", "repair");
    assertThat(help.stderr()).isBlank();
    assertThat(dir.resolve("data")).as("no node started").doesNotExist();
  }

  @Test
  void versionPrintsTheBuiltVersionAndStartsNothing() {
    KvProcess version = nodes.start(dir, env(), "--version");

    assertThat(version.awaitExit(NO_HANG)).as(version.describe()).isZero();
    assertThat(version.stdout().strip()).matches("samza-kv \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    assertThat(dir.resolve("data")).as("no node started").doesNotExist();
  }

  @Test
  void unknownOptionExitsTwoWithTheUsage() {
    KvProcess wrong = nodes.start(dir, env(), "--confg=x.json");

    assertThat(wrong.awaitExit(NO_HANG)).as(wrong.describe()).isEqualTo(2);
    assertThat(wrong.stderr())
        .contains("Unknown option: '--confg=x.json'", "--conf", "Usage: samza-kv");
    assertThat(dir.resolve("data")).as("no node started").doesNotExist();
  }

  @Test
  void unknownKeyInTheConfFileExitsTwoNamingKeyAndFile() throws IOException {
    Path conf = Files.writeString(dir.resolve("node.json"), "{\"partitons\": 8}");

    KvProcess node = nodes.start(dir, env(), "--conf", conf.toString());

    assertFailsWithOneLine(node, conf.toString(), "unknown key 'partitons'", "'partitions'");
  }

  @Test
  void misspeltKvVariableIsOneWarningNamingItAndTheNearestSetting() {
    Map<String, String> env = env();
    env.put("KV_FSYNC_INTERVAL", "5");

    KvProcess node = nodes.start(dir, env).awaitReady();

    List<String> warnings =
        node.stdout().lines().filter(line -> line.contains("KV_FSYNC_INTERVAL")).toList();
    assertThat(warnings)
        .as(node.describe())
        .singleElement()
        .asString()
        .contains("WARNING", "KV_FSYNC_INTERVAL_MS");
  }

  @Test
  void anErrorDuringStartExitsTwoWithOneLineAndReleasesTheDataDir() {
    // lmdbjava's own switch for an external native library: a path that cannot load gives the
    // UnsatisfiedLinkError a musl libc gives, after Vert.x and Hazelcast have started.
    KvProcess broken =
        nodes.track(
            KvProcess.start(
                dir,
                -1,
                env(),
                List.of("-Dlmdbjava.native.lib=" + dir.resolve("no-such-liblmdb.so"))));

    assertFailsWithOneLine(broken, "lmdbjava.native.lib", "no-such-liblmdb.so");
    KvProcess next = nodes.start(dir, env()).awaitReady();
    assertThat(next.isAlive()).as("the data dir lock was released").isTrue();
  }

  @Test
  void opLogDirThatIsAFileIsNamedWithItsPath() throws IOException {
    Files.createDirectories(dir.resolve("data"));
    Path oplog = Files.writeString(dir.resolve("data").resolve("oplog"), "x");

    assertFailsWithOneLine(nodes.start(dir, env()), "KV_DATA_DIR", oplog.toString());
  }

  @Test
  void lmdbDirThatIsAFileIsNamedWithItsPath() throws IOException {
    Files.createDirectories(dir.resolve("data"));
    Path lmdb = Files.writeString(dir.resolve("data").resolve("lmdb"), "x");

    assertFailsWithOneLine(nodes.start(dir, env()), "KV_DATA_DIR", lmdb.toString());
  }

  @Test
  void dataDirThatIsAFileIsNamedWithItsPath() throws IOException {
    Path file = Files.writeString(dir.resolve("data"), "x");

    assertFailsWithOneLine(nodes.start(dir, env()), "KV_DATA_DIR", file + " is not a directory");
  }

  @Test
  void dataDirOnAReadOnlyFileSystemIsNamedWithItsPath() throws Exception {
    try (Tmpfs readOnly = Tmpfs.mountOrSkip(dir.resolve("ro"), "ro,size=1m")) {
      Path mount = readOnly.path();
      assertFailsWithOneLine(
          nodes.start(dir, KvProcess.env(mount)), "KV_DATA_DIR", mount.toString());
    } finally {
      nodes.afterEach(null);
    }
  }

  private static void assertFailsWithOneLine(KvProcess process, String... naming) {
    assertThat(process.awaitExit(NO_HANG)).as(process.describe()).isEqualTo(2);
    assertThat(process.stderrLines())
        .as(process.describe())
        .singleElement()
        .asString()
        .startsWith("samza-kv: ")
        .contains(naming)
        .doesNotContain("Exception:");
  }
}
