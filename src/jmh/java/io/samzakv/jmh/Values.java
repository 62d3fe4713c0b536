package io.samzakv.jmh;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Deterministic keys and value bytes, so every run measures the same data. */
final class Values {

  private Values() {}

  /** The i-th key of a preloaded keyspace; zero-padded, so key order is index order. */
  static String key(int i) {
    return String.format("user/%08d", i);
  }

  /** {@code length} bytes LZ4 cannot shrink. */
  static byte[] random(int length) {
    byte[] bytes = new byte[length];
    new Random(length).nextBytes(bytes);
    return bytes;
  }

  /**
   * {@code length} bytes of JSON-like records with varying numbers: compressible the way typical
   * application values are (repeated field names and structure), not a run of one byte.
   */
  static byte[] text(int length) {
    Random random = new Random(length);
    StringBuilder text = new StringBuilder(length + 128);
    while (text.length() < length) {
      int id = random.nextInt(1_000_000);
      text.append("{\"id\":")
          .append(id)
          .append(",\"name\":\"user-")
          .append(id)
          .append("\",\"email\":\"user")
          .append(id)
          .append("@example.com\",\"score\":")
          .append(random.nextInt(10_000))
          .append(",\"active\":")
          .append(random.nextBoolean())
          .append("}\n");
    }
    byte[] bytes = new byte[length];
    System.arraycopy(text.toString().getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, length);
    return bytes;
  }
}
