package io.samzakv.config;

import io.samzakv.oplog.FsyncPolicy;
import io.samzakv.store.LocalStore;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads settings from a JSON file and the environment (which wins), applies defaults and validates
 * each value, failing with a {@link ConfigException} that names the first bad setting.
 */
public final class ConfigLoader {
  private static final System.Logger LOG = System.getLogger(ConfigLoader.class.getName());
  static final Path DEFAULT_FILE = Path.of("conf", "node.json");

  /** {@code KV_*} variables that are not node settings: bin/samza-kv's choice of jar. */
  private static final Set<String> NOT_SETTINGS = Set.of("KV_JAR");

  private final JsonObject file;
  private final Map<String, String> env;

  private ConfigLoader(JsonObject file, Map<String, String> env) {
    this.file = file;
    this.env = env;
  }

  /**
   * Settings for a node: {@code file} names the config file ({@code --conf}); null means {@code
   * conf/node.json} when present. A key the file should not have is refused; a {@code KV_*}
   * variable that names no setting is logged at WARNING and ignored.
   */
  public static NodeConfig load(Path file, Map<String, String> env) {
    Path chosen = file == null ? DEFAULT_FILE : file;
    JsonObject json = readFile(chosen, file != null);
    rejectUnknownKeys(json, chosen);
    warnOfUnknownVariables(env);
    return new ConfigLoader(json, env).build();
  }

  /** Settings from an in-memory JSON object and environment; what tests use. */
  public static NodeConfig from(JsonObject file, Map<String, String> env) {
    rejectUnknownKeys(file, Path.of("<json>"));
    return new ConfigLoader(file, env).build();
  }

  private static void rejectUnknownKeys(JsonObject json, Path file) {
    Set<String> known =
        Arrays.stream(Setting.values()).map(Setting::jsonKey).collect(Collectors.toSet());
    for (String key : json.fieldNames()) {
      if (!known.contains(key)) {
        throw new ConfigException(
            file.toString(), "unknown key '" + key + "'" + Spelling.suggestion(key, known));
      }
    }
  }

  private static void warnOfUnknownVariables(Map<String, String> env) {
    Set<String> known =
        Arrays.stream(Setting.values()).map(Setting::env).collect(Collectors.toSet());
    env.keySet().stream()
        .filter(name -> name.startsWith("KV_") && !known.contains(name))
        .filter(name -> !NOT_SETTINGS.contains(name))
        .sorted()
        .forEach(
            name ->
                LOG.log(
                    System.Logger.Level.WARNING,
                    "ignoring environment variable {0}: no such setting{1}",
                    name,
                    Spelling.suggestion(name, known)));
  }

  private static JsonObject readFile(Path file, boolean mustExist) {
    if (!Files.exists(file)) {
      if (mustExist) {
        throw new ConfigException("--conf", "no such file " + file);
      }
      return new JsonObject();
    }
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException | DecodeException e) {
      throw new ConfigException(file.toString(), "not readable JSON (" + e.getMessage() + ")");
    }
  }

  private NodeConfig build() {
    int partitions = intSetting(Setting.PARTITIONS, 64, 1, 65_536);
    String httpHost = text(Setting.HTTP_HOST, "127.0.0.1");
    String clusterHost = text(Setting.CLUSTER_HOST, "127.0.0.1");
    HostPort clusterPublic =
        parsed(Setting.CLUSTER_PUBLIC_ADDRESS, null, ConfigLoader::publicAddress);
    String busHost = text(Setting.BUS_HOST, clusterHost);
    int busPort = intSetting(Setting.BUS_PORT, 0, 0, 65_535);
    String busPublicHost = parsed(Setting.BUS_PUBLIC_HOST, null, ConfigLoader::publicHost);
    if (busPublicHost == null) {
      busPublicHost =
          advertised(
              busHost, clusterHost, clusterPublic, Setting.BUS_HOST, Setting.BUS_PUBLIC_HOST);
    }
    HostPort httpPublic = parsed(Setting.HTTP_PUBLIC_ADDRESS, null, ConfigLoader::publicAddress);
    if (httpPublic == null) {
      String host =
          advertised(
              httpHost, clusterHost, clusterPublic, Setting.HTTP_HOST, Setting.HTTP_PUBLIC_ADDRESS);
      httpPublic = new HostPort(host, 0);
    }
    return new NodeConfig(
        text(Setting.NODE_ID, null),
        httpHost,
        intSetting(Setting.HTTP_PORT, 8080, 0, 65_535),
        httpPublic.host(),
        httpPublic.port(),
        Path.of(text(Setting.DATA_DIR, "data")),
        parsed(Setting.CLUSTER_NAME, "samza-kv", ConfigLoader::clusterName),
        clusterHost,
        intSetting(Setting.CLUSTER_PORT, 5701, 0, 65_535),
        clusterPublic == null ? null : clusterPublic.toString(),
        members(),
        busHost,
        busPort,
        busPublicHost,
        intSetting(Setting.BUS_PUBLIC_PORT, busPort, 0, 65_535),
        partitions,
        intSetting(Setting.REPLICATION, 2, 1, 16),
        parsed(Setting.FSYNC, FsyncPolicy.ALWAYS, ConfigLoader::fsyncPolicy),
        Duration.ofMillis(intSetting(Setting.FSYNC_INTERVAL_MS, 100, 1, 60_000)),
        longSetting(Setting.CACHE_BYTES, 256L << 20, 0, Long.MAX_VALUE),
        parsed(Setting.COMPRESSION, true, ConfigLoader::compression),
        // Bounded by what one op-log record carries, so that no value the API accepts can fail
        // the write path.
        intSetting(Setting.MAX_VALUE_BYTES, 1 << 20, 0, LocalStore.LARGEST_VALUE_BYTES),
        longSetting(Setting.SEGMENT_BYTES, 64L << 20, 1 << 20, 1L << 34),
        longSetting(Setting.LMDB_INITIAL_MAP_BYTES, 64L << 20, 1 << 20, 1L << 40),
        httpInstances(),
        Duration.ofSeconds(intSetting(Setting.SCRUB_INTERVAL_S, 300, 0, 7 * 86_400)),
        Duration.ofMillis(intSetting(Setting.REPLICATION_TIMEOUT_MS, 2000, 100, 60_000)));
  }

  /**
   * The host other machines reach a listener bound to {@code bindHost} at, when its own public
   * setting is not given: the bind host itself, but a wildcard (0.0.0.0) is nobody's address, so
   * then this member's public host ({@code KV_CLUSTER_PUBLIC_ADDRESS}), else the cluster host.
   */
  private static String advertised(
      String bindHost,
      String clusterHost,
      HostPort clusterPublic,
      Setting bindSetting,
      Setting publicSetting) {
    if (!NodeConfig.isAnyAddress(bindHost)) {
      return bindHost;
    }
    if (clusterPublic != null) {
      return clusterPublic.host();
    }
    if (!NodeConfig.isAnyAddress(clusterHost)) {
      return clusterHost;
    }
    throw new ConfigException(
        publicSetting.env(),
        bindSetting.env()
            + " is "
            + bindHost
            + ", which other machines cannot connect to: set "
            + publicSetting.env()
            + " or "
            + Setting.CLUSTER_PUBLIC_ADDRESS.env()
            + " to an address of this host");
  }

  /** HTTP verticles; 0 (the default) means one per core. */
  private int httpInstances() {
    int instances = intSetting(Setting.HTTP_INSTANCES, 0, 0, 1024);
    return instances == 0 ? Runtime.getRuntime().availableProcessors() : instances;
  }

  private String raw(Setting setting) {
    String fromEnv = env.get(setting.env());
    if (fromEnv != null) {
      return fromEnv.trim();
    }
    Object fromFile = file.getValue(setting.jsonKey());
    if (fromFile instanceof JsonArray list) {
      return list.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
    return fromFile == null ? null : fromFile.toString().trim();
  }

  private String text(Setting setting, String fallback) {
    String value = raw(setting);
    return value == null || value.isEmpty() ? fallback : value;
  }

  private <T> T parsed(Setting setting, T fallback, Function<String, T> parser) {
    String value = text(setting, null);
    if (value == null) {
      return fallback;
    }
    try {
      return parser.apply(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(setting.env(), e.getMessage());
    }
  }

  private int intSetting(Setting setting, int fallback, int min, int max) {
    return (int) longSetting(setting, fallback, min, max);
  }

  private long longSetting(Setting setting, long fallback, long min, long max) {
    long value = parsed(setting, fallback, ConfigLoader::number);
    if (value < min || value > max) {
      throw new ConfigException(
          setting.env(), "must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  private List<String> members() {
    String value = text(Setting.CLUSTER_MEMBERS, "");
    List<String> members =
        Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String member : members) {
      int colon = member.lastIndexOf(':');
      if (colon <= 0) {
        throw new ConfigException(
            Setting.CLUSTER_MEMBERS.env(), "'" + member + "' is not host:port");
      }
      try {
        number(member.substring(colon + 1));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            Setting.CLUSTER_MEMBERS.env(), "'" + member + "' has no numeric port");
      }
    }
    return members;
  }

  private static HostPort publicAddress(String value) {
    HostPort address = HostPort.parse(value);
    if (NodeConfig.isAnyAddress(address.host())) {
      throw new IllegalArgumentException(
          "'" + value + "' is a wildcard address, which other machines cannot connect to");
    }
    return address;
  }

  private static String publicHost(String value) {
    HostPort address = publicAddress(value);
    if (address.port() != 0) {
      throw new IllegalArgumentException("'" + value + "' is host:port; give the host alone");
    }
    return address.host();
  }

  /** Letters, digits, '.', '_' and '-': safe in a shell line, a log line and a file name. */
  private static String clusterName(String value) {
    if (!value.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException(
          "'"
              + value
              + "' is not 1 to 64 letters, digits, '.', '_' or '-' starting with a letter or digit");
    }
    return value;
  }

  private static long number(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not a whole number");
    }
  }

  private static FsyncPolicy fsyncPolicy(String value) {
    try {
      return FsyncPolicy.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + value + "' is not one of always, interval, never");
    }
  }

  private static boolean compression(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "lz4" -> true;
      case "none" -> false;
      default -> throw new IllegalArgumentException("'" + value + "' is not one of lz4, none");
    };
  }
}
