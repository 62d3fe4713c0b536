package io.samzakv.jmh;

import io.samzakv.oplog.FsyncPolicy;
import io.samzakv.oplog.LogOp;
import io.samzakv.oplog.OpLog;
import io.samzakv.oplog.OpLogOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Durable writes to the op log with {@code fsync=always}: each operation appends one record
 * (16-byte key, 100-byte value) and waits for the commit that makes it durable. Every writer
 * waiting when an fsync starts shares it (group commit), so total throughput should grow with the
 * writers while one writer is bound by the disk's fsync latency. Throughput is the sum over all
 * writer threads.
 *
 * <p>The log lives under {@code java.io.tmpdir}, so the numbers are that file system's fsync.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OpLogCommitBenchmark extends KvBenchmark {

  private final byte[] key = "user/00000042-ab".getBytes(StandardCharsets.UTF_8);
  private final byte[] value = Values.random(100);
  private Path dir;
  private OpLog log;

  @Setup
  public void open() throws IOException {
    dir = Scratch.create("oplog");
    try {
      log = OpLog.open(dir, new OpLogOptions(FsyncPolicy.ALWAYS, 64 << 20, Duration.ZERO), null);
    } catch (IOException | RuntimeException e) {
      // JMH skips the tear-down of a trial whose set-up failed.
      Scratch.delete(dir);
      throw e;
    }
  }

  @TearDown
  public void close() throws IOException {
    log.close();
    Scratch.delete(dir);
  }

  @Benchmark
  @Threads(1)
  public long writers01() throws IOException {
    return appendAndCommit();
  }

  @Benchmark
  @Threads(4)
  public long writers04() throws IOException {
    return appendAndCommit();
  }

  @Benchmark
  @Threads(16)
  public long writers16() throws IOException {
    return appendAndCommit();
  }

  private long appendAndCommit() throws IOException {
    log.append(0, LogOp.PUT, key, value);
    return log.commit().join();
  }
}
