package io.samzakv.loadtest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The keys and values of a run. The value of a {@code key-N} or {@code large-N} depends on the key
 * alone, so a reader can check exactly what it gets back whoever wrote it last.
 *
 * <ul>
 *   <li>{@code key-N}: the preloaded key space, {@code valueBytes} random bytes each (as {@code
 *       bin/preload.py} names them, so both tools see the same keys);
 *   <li>{@code cas-N}: CAS counters, a decimal number each;
 *   <li>{@code large-N}: {@code largeValueBytes} each, even N compressible text, odd N random.
 * </ul>
 */
final class KeySpace {

  /** The prefix of the preloaded keys. */
  static final String KEY_PREFIX = "key-";

  private final LoadConfig config;
  private final byte[] value;
  private final String valueBase64;
  private final byte[][] largeValues;
  private final String[] largeMd5s;

  KeySpace(LoadConfig config) {
    this.config = config;
    this.value = new byte[config.valueBytes()];
    new Random(42).nextBytes(value);
    this.valueBase64 = Base64.getEncoder().encodeToString(value);
    this.largeValues = new byte[config.largeKeys()][];
    this.largeMd5s = new String[config.largeKeys()];
    for (int i = 0; i < config.largeKeys(); i++) {
      largeValues[i] = largeValue(i, config.largeValueBytes());
      largeMd5s[i] = md5(largeValues[i]);
    }
  }

  static String key(int i) {
    return KEY_PREFIX + i;
  }

  static String counterKey(int i) {
    return "cas-" + i;
  }

  static String largeKey(int i) {
    return "large-" + i;
  }

  /** The value of every {@code key-N}. */
  byte[] value() {
    return value;
  }

  String valueBase64() {
    return valueBase64;
  }

  byte[] largeValue(int i) {
    return largeValues[i];
  }

  /** Lower-case hex MD5 of {@link #largeValue}, what Gatling's {@code md5()} check extracts. */
  String largeMd5(int i) {
    return largeMd5s[i];
  }

  int randomKey() {
    return ThreadLocalRandom.current().nextInt(config.keys());
  }

  /** {@code #{key}}: a uniformly random preloaded key. */
  Iterator<Map<String, Object>> keyFeeder() {
    return feeder(() -> Map.of("key", key(randomKey())));
  }

  /** {@code #{counter}} (its index) and {@code #{counterKey}}: a random CAS counter. */
  Iterator<Map<String, Object>> counterFeeder() {
    return feeder(
        () -> {
          int counter = ThreadLocalRandom.current().nextInt(config.hotKeys());
          return Map.of("counter", counter, "counterKey", counterKey(counter));
        });
  }

  /** {@code #{large}} (its index) and {@code #{largeKey}}: a random large-value key. */
  Iterator<Map<String, Object>> largeFeeder() {
    return feeder(
        () -> {
          int large = ThreadLocalRandom.current().nextInt(config.largeKeys());
          return Map.of("large", large, "largeKey", largeKey(large));
        });
  }

  private static Iterator<Map<String, Object>> feeder(Supplier<Map<String, Object>> record) {
    return Stream.generate(record).iterator();
  }

  private static byte[] largeValue(int i, int size) {
    byte[] bytes = new byte[size];
    if (i % 2 == 0) {
      byte[] line =
          ("large-" + i + ": a compressible line of text, the same again and again\n")
              .getBytes(StandardCharsets.US_ASCII);
      for (int at = 0; at < size; at++) {
        bytes[at] = line[at % line.length];
      }
    } else {
      new Random(i).nextBytes(bytes);
    }
    return bytes;
  }

  private static String md5(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has MD5", e);
    }
  }
}
