package io.samzakv.node;

import io.samzakv.config.ConfigException;
import io.samzakv.config.ConfigLoader;
import io.samzakv.config.NodeConfig;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * {@code java -jar samza-kv.jar [--conf FILE]}: starts a node; SIGTERM or SIGINT stops it
 * gracefully and exits 0. A setting that cannot work exits 2 at once with one line on stderr.
 */
public final class Main {
  private static final int EXIT_BAD_CONFIG = 2;

  private Main() {}

  public static void main(String[] args) {
    Logging.configure();
    Node node;
    try {
      NodeConfig config = ConfigLoader.load(args, System.getenv());
      node = Node.start(config);
    } catch (ConfigException | StartupException e) {
      System.err.println("samza-kv: " + e.getMessage());
      // halt, not exit: nothing started is worth waiting for, and the answer must come at once.
      Runtime.getRuntime().halt(EXIT_BAD_CONFIG);
      return;
    }
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable stop =
        () -> {
          if (stopping.compareAndSet(false, true)) {
            node.stop();
            System.exit(0);
          }
        };
    // Our own handler rather than a shutdown hook: the JVM would exit 143 after hooks, and the
    // contract is exit 0 after a clean stop.
    Signal.handle(new Signal("TERM"), signal -> new Thread(stop, "kv-shutdown").start());
    Signal.handle(new Signal("INT"), signal -> new Thread(stop, "kv-shutdown").start());
  }
}
