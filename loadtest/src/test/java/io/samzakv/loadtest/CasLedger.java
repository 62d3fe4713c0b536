package io.samzakv.loadtest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the CAS scenario's clients saw, and the check a user of compare-and-set wants at the end:
 * every counter holds exactly the increments that clients saw committed, and moved by one per
 * version, so no conditional write was lost or applied twice.
 *
 * <p>Thread contract: Gatling's virtual users call the recording methods concurrently; {@link
 * #reset} runs before the load and {@link #verify} after it, each on one thread.
 */
final class CasLedger {

  private static final String ZERO =
      Base64.getEncoder().encodeToString("0".getBytes(StandardCharsets.US_ASCII));

  private final LoadConfig config;
  private final AtomicLongArray committed;
  private final AtomicLongArray unknown;
  private final LongAdder conflicts = new LongAdder();
  private final LongAdder gaveUp = new LongAdder();
  private long[] startVersions;

  CasLedger(LoadConfig config) {
    this.config = config;
    this.committed = new AtomicLongArray(config.hotKeys());
    this.unknown = new AtomicLongArray(config.hotKeys());
  }

  /** Sets every counter to 0 and remembers the version that write gave it. */
  void reset() {
    startVersions =
        new SetupClient(config).putAll(config.hotKeys(), KeySpace::counterKey, i -> ZERO);
  }

  /** A write answered 200: the increment is in. */
  void committed(int counter) {
    committed.incrementAndGet(counter);
  }

  /** A write failed without a status the client understood: it may or may not be in. */
  void unknown(int counter) {
    unknown.incrementAndGet(counter);
  }

  /** A write answered 412: another client got there first. */
  void conflict() {
    conflicts.increment();
  }

  /** An increment met {@code casRetries} conflicts in a row and was abandoned. */
  void gaveUp() {
    gaveUp.increment();
  }

  /**
   * Reads every counter back and prints what the clients saw.
   *
   * @throws IllegalStateException naming each counter whose value disagrees
   */
  void verify() {
    SetupClient client = new SetupClient(config);
    List<String> problems = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < config.hotKeys(); i++) {
      String key = KeySpace.counterKey(i);
      SetupClient.Versioned counter = client.get(key);
      long value = Long.parseLong(new String(counter.value(), StandardCharsets.US_ASCII));
      long writes = counter.version() - startVersions[i];
      long seen = committed.get(i);
      long maybe = unknown.get(i);
      if (value != writes) {
        problems.add(
            "%s is %d after %d writes: an increment was lost or doubled"
                .formatted(key, value, writes));
      }
      if (value < seen || value > seen + maybe) {
        problems.add(
            "%s is %d but clients saw %d increments committed and %d with unknown outcome"
                .formatted(key, value, seen, maybe));
      }
      total += seen;
    }
    System.out.printf(
        "CAS: %d increments committed on %d counters; %d conflicts (412), %d retried, %d gave up"
            + " after %d retries; counters %s%n",
        total,
        config.hotKeys(),
        conflicts.sum(),
        conflicts.sum() - gaveUp.sum(),
        gaveUp.sum(),
        config.casRetries(),
        problems.isEmpty() ? "agree" : "DISAGREE");
    if (!problems.isEmpty()) {
      throw new IllegalStateException("CAS check failed: " + String.join("; ", problems));
    }
  }
}
