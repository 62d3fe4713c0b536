package io.samzakv.loadtest;

import java.util.Base64;

/** Writes the key spaces a simulation reads, before its load starts. */
final class Preload {

  private final LoadConfig config;
  private final KeySpace keySpace;

  Preload(LoadConfig config, KeySpace keySpace) {
    this.config = config;
    this.keySpace = keySpace;
  }

  /** {@code key-0 .. key-(keys-1)}, {@code valueBytes} each. */
  void keys() {
    long start = System.nanoTime();
    new SetupClient(config).putAll(config.keys(), KeySpace::key, i -> keySpace.valueBase64());
    report(config.keys(), config.valueBytes(), start);
  }

  /** {@code large-0 .. large-(largeKeys-1)}, {@code largeValueBytes} each. */
  void largeValues() {
    long start = System.nanoTime();
    new SetupClient(config)
        .putAll(
            config.largeKeys(),
            KeySpace::largeKey,
            i -> Base64.getEncoder().encodeToString(keySpace.largeValue(i)));
    report(config.largeKeys(), config.largeValueBytes(), start);
  }

  private static void report(int keys, int valueBytes, long startNanos) {
    System.out.printf(
        "preloaded %d keys of %d bytes in %.1f s%n",
        keys, valueBytes, (System.nanoTime() - startNanos) / 1e9);
  }
}
