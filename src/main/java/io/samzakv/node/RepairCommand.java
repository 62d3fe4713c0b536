package io.samzakv.node;

import io.samzakv.config.ConfigLoader;
import io.samzakv.config.NodeConfig;
import io.samzakv.oplog.LogRecord;
import io.samzakv.oplog.LogRepair;
import io.samzakv.storage.StorageEngine;
import io.vertx.core.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code samza-kv repair [--conf FILE]}: when start-up refused an op log whose damage held writes
 * the store lacks, cuts the log at that damage and lists exactly what the cut loses, so the node
 * can start again. It takes the data directory's lock, so it refuses to run beside a node.
 */
@Command(
    name = "repair",
    mixinStandardHelpOptions = true,
    description = {
      "Cuts the op log at the first damage that holds writes the store lacks (the one start-up"
          + " names), keeps the cut-off part as *.damaged, and lists what is lost: every record"
          + " after the cut past the store's position, and every run of unreadable bytes.",
      "Run it with the node stopped, with the node's settings; then start the node."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the log is intact now (cut, or nothing to cut)",
      "2:cannot run (a node holds the data dir, a bad setting, no op log)"
    })
final class RepairCommand implements Callable<Integer> {

  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description = "the node's JSON config file (default: conf/node.json when present)")
  private Path conf;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    NodeConfig config = ConfigLoader.load(conf, System.getenv());
    Path oplog = config.dataDir().resolve("oplog");
    if (!Files.isDirectory(oplog)) {
      throw new StartupException(
          "KV_DATA_DIR",
          config.dataDir() + " holds no op log (" + oplog + " is not a directory)",
          null);
    }
    try (DataDirectory dataDir = DataDirectory.open(config.dataDir(), null)) {
      long applied;
      try (StorageEngine storage = Node.openStorage(config, dataDir)) {
        applied = storage.appliedPosition();
      }
      report(oplog, applied, LogRepair.cut(oplog, applied));
    }
    return 0;
  }

  private void report(Path oplog, long applied, LogRepair.Result result) {
    PrintWriter out = spec.commandLine().getOut();
    out.printf("op log %s; the store has applied through position %d%n", oplog, applied);
    if (result.file() == null) {
      out.println(
          "nothing to cut: no damage holds a write the store lacks (damage behind the store is"
              + " skipped at start)");
      return;
    }
    LogRepair.Lost lost = result.lost();
    out.printf(
        "cut %s at byte offset %d; the cut-off part is kept beside it as *.damaged%n",
        result.file(), result.offset());
    out.printf(
        "lost: %d record(s) past position %d, %d unreadable run(s), %d missing run(s)%n",
        lost.records().size(), applied, lost.unreadable().size(), lost.missing().size());
    for (LogRecord record : lost.records()) {
      out.printf(
          "  position %d partition %d %s key %s%n",
          record.position(),
          record.partition(),
          record.op(),
          Json.encode(new String(record.key(), StandardCharsets.UTF_8)));
    }
    for (LogRepair.Unreadable bytes : lost.unreadable()) {
      out.printf(
          "  %d bytes unreadable at offset %d of %s (%s)%n",
          bytes.bytes(), bytes.offset(), bytes.file().getFileName(), bytes.held());
    }
    for (LogRepair.Missing gap : lost.missing()) {
      out.printf(
          "  positions %d..%d are in no segment (one before %s is missing)%n",
          gap.firstPosition(), gap.lastPosition(), gap.file().getFileName());
    }
    out.println("the node can start now");
    out.flush();
  }
}
