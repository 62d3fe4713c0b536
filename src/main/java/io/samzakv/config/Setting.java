package io.samzakv.config;

import java.util.Locale;

/**
 * A setting's two spellings: the environment variable and the key in {@code conf/node.json} ({@code
 * KV_HTTP_PORT} and {@code http_port}).
 */
enum Setting {
  NODE_ID,
  HTTP_HOST,
  HTTP_PORT,
  HTTP_PUBLIC_ADDRESS,
  DATA_DIR,
  CLUSTER_NAME,
  CLUSTER_HOST,
  CLUSTER_PORT,
  CLUSTER_PUBLIC_ADDRESS,
  CLUSTER_MEMBERS,
  BUS_HOST,
  BUS_PORT,
  BUS_PUBLIC_HOST,
  BUS_PUBLIC_PORT,
  PARTITIONS,
  REPLICATION,
  FSYNC,
  FSYNC_INTERVAL_MS,
  CACHE_BYTES,
  COMPRESSION,
  MAX_VALUE_BYTES,
  SEGMENT_BYTES,
  LMDB_INITIAL_MAP_BYTES,
  HTTP_INSTANCES,
  SCRUB_INTERVAL_S,
  REPLICATION_TIMEOUT_MS;

  String env() {
    return "KV_" + name();
  }

  String jsonKey() {
    return name().toLowerCase(Locale.ROOT);
  }
}
