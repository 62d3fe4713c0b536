package io.samzakv.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samzakv.oplog.FsyncPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @Test
  void defaultsMatchTheContract() {
    NodeConfig config = ConfigLoader.from(new JsonObject(), Map.of());

    assertThat(config.httpHost()).isEqualTo("127.0.0.1");
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.dataDir()).isEqualTo(Path.of("data"));
    assertThat(config.clusterHost()).isEqualTo("127.0.0.1");
    assertThat(config.clusterPort()).isEqualTo(5701);
    assertThat(config.clusterMembers()).isEmpty();
    assertThat(config.partitions()).isEqualTo(64);
    assertThat(config.replication()).isEqualTo(2);
    assertThat(config.fsync()).isEqualTo(FsyncPolicy.ALWAYS);
    assertThat(config.compression()).isTrue();
    assertThat(config.maxValueBytes()).isEqualTo(1_048_576);
    assertThat(config.httpInstances()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void theShippedConfFileHoldsEverySettingWithItsDefault() throws Exception {
    JsonObject shipped = new JsonObject(Files.readString(Path.of("conf", "node.json")));

    assertThat(shipped.fieldNames())
        .containsExactlyInAnyOrder(
            java.util.Arrays.stream(Setting.values()).map(Setting::jsonKey).toArray(String[]::new));
    assertThat(ConfigLoader.from(shipped, Map.of()))
        .isEqualTo(ConfigLoader.from(new JsonObject(), Map.of()));
  }

  @Test
  void environmentWinsOverTheFile() {
    JsonObject file = new JsonObject().put("http_port", 9000).put("fsync", "never");

    NodeConfig config = ConfigLoader.from(file, Map.of("KV_HTTP_PORT", "9100"));

    assertThat(config.httpPort()).isEqualTo(9100);
    assertThat(config.fsync()).isEqualTo(FsyncPolicy.NEVER);
  }

  @Test
  void membersComeAsACommaListOrAJsonArray() {
    NodeConfig fromEnv =
        ConfigLoader.from(
            new JsonObject(), Map.of("KV_CLUSTER_MEMBERS", "127.0.0.1:5701, 127.0.0.1:5702"));
    NodeConfig fromFile =
        ConfigLoader.from(
            new JsonObject()
                .put("cluster_members", new JsonArray().add("127.0.0.1:5701").add("h:5702")),
            Map.of());

    assertThat(fromEnv.clusterMembers()).containsExactly("127.0.0.1:5701", "127.0.0.1:5702");
    assertThat(fromFile.clusterMembers()).containsExactly("127.0.0.1:5701", "h:5702");
  }

  @Test
  void badValuesNameTheSetting() {
    assertThatThrownBy(() -> ConfigLoader.from(new JsonObject(), Map.of("KV_HTTP_PORT", "http")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("KV_HTTP_PORT");
    assertThatThrownBy(() -> ConfigLoader.from(new JsonObject(), Map.of("KV_HTTP_PORT", "70000")))
        .hasMessageStartingWith("KV_HTTP_PORT");
    assertThatThrownBy(() -> ConfigLoader.from(new JsonObject(), Map.of("KV_FSYNC", "sometimes")))
        .hasMessageStartingWith("KV_FSYNC");
    assertThatThrownBy(() -> ConfigLoader.from(new JsonObject(), Map.of("KV_COMPRESSION", "zip")))
        .hasMessageStartingWith("KV_COMPRESSION");
    assertThatThrownBy(() -> ConfigLoader.from(new JsonObject(), Map.of("KV_PARTITIONS", "0")))
        .hasMessageStartingWith("KV_PARTITIONS");
    assertThatThrownBy(
            () -> ConfigLoader.from(new JsonObject(), Map.of("KV_CLUSTER_MEMBERS", "nohost")))
        .hasMessageStartingWith("KV_CLUSTER_MEMBERS");
  }

  @Test
  void confFlagNamesAnotherFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("other.json");
    Files.writeString(file, "{\"http_port\": 8181, \"partitions\": 16}");

    NodeConfig config = ConfigLoader.load(new String[] {"--conf", file.toString()}, Map.of());

    assertThat(config.httpPort()).isEqualTo(8181);
    assertThat(config.partitions()).isEqualTo(16);
  }

  @Test
  void missingOrMalformedConfFileIsReported(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{not json");

    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    new String[] {"--conf", dir.resolve("none.json").toString()}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("none.json");
    assertThatThrownBy(
            () -> ConfigLoader.load(new String[] {"--conf", broken.toString()}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("broken.json");
  }
}
