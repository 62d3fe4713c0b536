package io.samzakv.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samzakv.oplog.FsyncPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
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

    NodeConfig config = ConfigLoader.load(file, Map.of());

    assertThat(config.httpPort()).isEqualTo(8181);
    assertThat(config.partitions()).isEqualTo(16);
  }

  @Test
  void missingOrMalformedConfFileIsReported(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{not json");

    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("none.json"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("none.json");
    assertThatThrownBy(() -> ConfigLoader.load(broken, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("broken.json");
  }

  @Test
  void unknownKeyInTheConfFileIsRefusedNamingKeyAndFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.json");
    Files.writeString(file, "{\"http_prot\": 8181}");

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file.toString())
        .hasMessageContaining("unknown key 'http_prot'")
        .hasMessageContaining("did you mean 'http_port'?");
  }

  @Test
  void unknownKvVariableIsAWarningNamingItAndTheNearestSetting() {
    List<String> warnings = new ArrayList<>();
    Logger logger = Logger.getLogger(ConfigLoader.class.getName());
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel() == Level.WARNING) {
              warnings.add(new SimpleFormatter().formatMessage(record));
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(capture);
    try {
      NodeConfig config =
          ConfigLoader.load(
              null, Map.of("KV_HTTP_PROT", "9000", "KV_NO_SUCH_THING", "1", "KV_JAR", "x.jar"));
      assertThat(config.httpPort()).as("the misspelt variable is ignored").isEqualTo(8080);
    } finally {
      logger.removeHandler(capture);
    }
    assertThat(warnings)
        .containsExactly(
            "ignoring environment variable KV_HTTP_PROT: no such setting (did you mean"
                + " 'KV_HTTP_PORT'?)",
            "ignoring environment variable KV_NO_SUCH_THING: no such setting");
  }

  @Test
  void networkDefaultsPublishTheBindAddresses() {
    NodeConfig config = ConfigLoader.from(new JsonObject(), Map.of("KV_CLUSTER_HOST", "10.0.0.5"));

    assertThat(config.clusterName()).isEqualTo("samza-kv");
    assertThat(config.clusterPublicAddress()).as("Hazelcast announces its bind address").isNull();
    assertThat(config.busHost()).as("the bus binds the cluster host").isEqualTo("10.0.0.5");
    assertThat(config.busPort()).as("a port the OS picks").isZero();
    assertThat(config.busPublicHost()).isEqualTo("10.0.0.5");
    assertThat(config.busPublicPort()).as("the bound port").isZero();
    assertThat(config.httpPublicAddress(8123)).isEqualTo("127.0.0.1:8123");
  }

  @Test
  void explicitPublicAddressesWinOverTheBindOnes() {
    NodeConfig config =
        ConfigLoader.from(
            new JsonObject()
                .put("cluster_name", "orders-prod")
                .put("cluster_public_address", "203.0.113.7:15701"),
            Map.of(
                "KV_BUS_HOST", "10.0.0.5",
                "KV_BUS_PORT", "5801",
                "KV_BUS_PUBLIC_HOST", "kv1.example.com",
                "KV_BUS_PUBLIC_PORT", "15801",
                "KV_HTTP_PUBLIC_ADDRESS", "[2001:db8::7]:18080"));

    assertThat(config.clusterName()).isEqualTo("orders-prod");
    assertThat(config.clusterPublicAddress()).isEqualTo("203.0.113.7:15701");
    assertThat(config.busHost()).isEqualTo("10.0.0.5");
    assertThat(config.busPort()).isEqualTo(5801);
    assertThat(config.busPublicHost()).isEqualTo("kv1.example.com");
    assertThat(config.busPublicPort()).isEqualTo(15801);
    assertThat(config.httpPublicAddress(8080)).isEqualTo("[2001:db8::7]:18080");
  }

  @Test
  void aWildcardBindPublishesThisMembersPublicHost() {
    NodeConfig config =
        ConfigLoader.from(
            new JsonObject(),
            Map.of(
                "KV_CLUSTER_HOST", "0.0.0.0",
                "KV_HTTP_HOST", "0.0.0.0",
                "KV_BUS_PORT", "5801",
                "KV_CLUSTER_PUBLIC_ADDRESS", "host-a.example.com:5701"));

    assertThat(config.busHost()).isEqualTo("0.0.0.0");
    assertThat(config.busPublicHost()).isEqualTo("host-a.example.com");
    assertThat(config.busPublicPort()).as("the bind port").isEqualTo(5801);
    assertThat(config.httpPublicAddress(8080)).isEqualTo("host-a.example.com:8080");
  }

  @Test
  void aWildcardHttpHostPublishesTheClusterHost() {
    NodeConfig config = ConfigLoader.from(new JsonObject(), Map.of("KV_HTTP_HOST", "0.0.0.0"));

    assertThat(config.httpPublicAddress(8080)).isEqualTo("127.0.0.1:8080");
  }

  @Test
  void aWildcardBindWithNoAddressToPublishIsRefusedNamingTheSetting() {
    assertThatThrownBy(
            () -> ConfigLoader.from(new JsonObject(), Map.of("KV_CLUSTER_HOST", "0.0.0.0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("KV_BUS_PUBLIC_HOST: KV_BUS_HOST is 0.0.0.0")
        .hasMessageContaining("KV_CLUSTER_PUBLIC_ADDRESS");
    assertThatThrownBy(
            () ->
                ConfigLoader.from(
                    new JsonObject(),
                    Map.of(
                        "KV_CLUSTER_HOST", "0.0.0.0",
                        "KV_BUS_PUBLIC_HOST", "10.0.0.5",
                        "KV_HTTP_HOST", "::")))
        .hasMessageStartingWith("KV_HTTP_PUBLIC_ADDRESS: KV_HTTP_HOST is ::");
  }

  @Test
  void badNetworkValuesNameTheSetting() {
    Map<String, String> bad =
        Map.of(
            "KV_CLUSTER_NAME", "my cluster",
            "KV_CLUSTER_PUBLIC_ADDRESS", "10.0.0.5:http",
            "KV_BUS_PORT", "65536",
            "KV_BUS_PUBLIC_HOST", "10.0.0.5:5801",
            "KV_BUS_PUBLIC_PORT", "-1",
            "KV_HTTP_PUBLIC_ADDRESS", "0.0.0.0:8080");
    bad.forEach(
        (name, value) ->
            assertThatThrownBy(() -> ConfigLoader.from(new JsonObject(), Map.of(name, value)))
                .as(name + "=" + value)
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(name + ": ")
                .hasMessageContaining(value.startsWith("-") ? "between" : value));
  }

  @Test
  void spellingSuggestsOnlyNearNames() {
    assertThat(Spelling.suggestion("KV_FSNYC", List.of("KV_FSYNC", "KV_HTTP_PORT")))
        .isEqualTo(" (did you mean 'KV_FSYNC'?)");
    assertThat(Spelling.suggestion("KV_COLOUR", List.of("KV_FSYNC", "KV_HTTP_PORT"))).isEmpty();
  }
}
