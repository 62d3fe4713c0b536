package io.samzakv.node;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

/**
 * Sends every log line (ours, Vert.x's and Hazelcast's, all on java.util.logging) to stdout, one
 * line each, so that stderr carries nothing but a fatal start-up error.
 */
final class Logging {
  /** Held so the JUL loggers, and the levels set on them, are not garbage collected. */
  private static final Logger HAZELCAST = Logger.getLogger("com.hazelcast");

  private static final Logger NETTY = Logger.getLogger("io.netty");

  private static final Logger HAZELCAST_CP = Logger.getLogger("com.hazelcast.cp.CPSubsystem");

  private Logging() {}

  static void configure() {
    System.setProperty(
        "java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s [%3$s] %5$s%6$s%n");
    Logger root = Logger.getLogger("");
    for (var handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    StreamHandler stdout =
        new StreamHandler(System.out, new SimpleFormatter()) {
          @Override
          public synchronized void publish(LogRecord logRecord) {
            super.publish(logRecord);
            flush();
          }
        };
    stdout.setLevel(Level.ALL);
    root.addHandler(stdout);
    root.setLevel(Level.INFO);
    // Hazelcast's INFO is a banner and a dozen lines per membership change.
    HAZELCAST.setLevel(Level.WARNING);
    NETTY.setLevel(Level.WARNING);
    // Hazelcast warns at every start that CP structures would run in "UNSAFE mode" without a CP
    // subsystem. samza-kv and Vert.x's cluster manager use none (locks are records of the store),
    // so the warning would only alarm an operator reading the log.
    HAZELCAST_CP.setLevel(Level.SEVERE);
  }
}
