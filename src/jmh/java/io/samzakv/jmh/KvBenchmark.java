package io.samzakv.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Run settings every benchmark here inherits (JMH reads these annotations from superclasses; a
 * subclass annotation wins). Sized so the whole suite takes about five minutes on two cores: one
 * fork, 4 x 1 s of warm-up, 8 x 1 s measured; eight samples rather than fewer longer ones, because
 * JMH's 99.9% error bar shrinks fast with the sample count. Pass {@code -f}, {@code -wi}, {@code
 * -i} to JMH for more.
 *
 * <p>The fork is started with {@code -cp}, which ignores the jar manifest's {@code Add-Opens}, so
 * the opens lmdbjava needs (see {@code jvm.opens} in pom.xml) are passed to it here.
 */
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
    })
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 8, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class KvBenchmark {}
