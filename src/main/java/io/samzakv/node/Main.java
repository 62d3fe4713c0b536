package io.samzakv.node;

import io.samzakv.config.ConfigException;
import io.samzakv.config.ConfigLoader;
import io.samzakv.config.NodeConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code java -jar samza-kv.jar [--conf FILE]}: starts a node; SIGTERM or SIGINT stops it
 * gracefully and exits 0. {@code repair} is the offline op-log repair ({@code RepairCommand}).
 * {@code --help} and {@code --version} print and exit 0 without starting anything; an unknown
 * option exits 2 with the usage; a setting that cannot work, or anything thrown during start, exits
 * 2 at once with one line on stderr.
 */
@Command(
    name = "samza-kv",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    subcommands = RepairCommand.class,
    description = {
      "Starts a samza-kv node. Settings come from the config file and KV_* environment variables,"
          + " which win; SIGTERM or SIGINT stops the node gracefully."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped cleanly by SIGTERM or SIGINT, or --help / --version",
      "2:unknown option, a setting that cannot work, or a failed start (one line on stderr)"
    })
public final class Main implements Callable<Integer> {
  static final int EXIT_FAILED = 2;

  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description = "JSON config file (default: conf/node.json when present)")
  private Path conf;

  private Main() {}

  public static void main(String[] args) {
    Logging.configure();
    CommandLine cli = commandLine();
    int exit = cli.execute(args);
    cli.getOut().flush();
    cli.getErr().flush();
    if (exit == 0) {
      System.exit(0);
    }
    // halt, not exit: nothing a failed start left behind is worth waiting for (a Hazelcast thread
    // that would not stop must not keep the process alive), and the answer must come at once.
    Runtime.getRuntime().halt(exit);
  }

  /**
   * The command line: a bad option prints what is wrong and the usage, a failure in any command one
   * stderr line; both exit 2.
   */
  static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setParameterExceptionHandler(
            (error, args) -> {
              CommandLine command = error.getCommandLine();
              command.getErr().println("samza-kv: " + error.getMessage());
              CommandLine.UnmatchedArgumentException.printSuggestions(error, command.getErr());
              command.usage(command.getErr());
              return EXIT_FAILED;
            })
        .setExecutionExceptionHandler(
            (error, cli, parsed) -> {
              cli.getErr().println("samza-kv: " + oneLine(error));
              return EXIT_FAILED;
            });
  }

  private static String oneLine(Throwable error) {
    return error instanceof ConfigException || error instanceof StartupException
        ? error.getMessage().replaceAll("\\R", " ")
        : StartupException.describe(error);
  }

  /** Runs a node until SIGTERM or SIGINT, then stops it. */
  @Override
  public Integer call() throws InterruptedException {
    NodeConfig config = ConfigLoader.load(conf, System.getenv());
    Node node = Node.start(config);
    CountDownLatch stopRequested = new CountDownLatch(1);
    // Our own handlers rather than a shutdown hook: the JVM would exit 143 after hooks, and the
    // contract is exit 0 after a clean stop.
    Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
    Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
    stopRequested.await();
    node.stop();
    return 0;
  }

  /** The version the build wrote into the jar, the same that {@code kv_build_info} reports. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"samza-kv " + BuildInfo.current().version()};
    }
  }
}
