package io.samzakv.jmh;

import io.samzakv.codec.DecodedValue;
import io.samzakv.codec.ValueCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The value codec on the PUT path (encode: header, CRC32C, LZ4 when it saves space) and on the read
 * path (decode: CRC32C check, then LZ4 or a copy), with compression on ({@code KV_COMPRESSION=lz4})
 * and off, for a small and a large compressible value and a large one LZ4 cannot shrink (where
 * compression on pays for a failed attempt).
 */
@State(Scope.Benchmark)
public class CodecBenchmark extends KvBenchmark {

  @Param({"true", "false"})
  public boolean lz4;

  @Param({"100B-text", "64KiB-text", "64KiB-random"})
  public String value;

  private ValueCodec codec;
  private byte[] raw;
  private byte[] stored;

  @Setup
  public void encodeOnce() {
    codec = new ValueCodec(lz4, 1 << 20);
    raw =
        switch (value) {
          case "100B-text" -> Values.text(100);
          case "64KiB-text" -> Values.text(64 << 10);
          case "64KiB-random" -> Values.random(64 << 10);
          default -> throw new IllegalArgumentException("unknown value shape " + value);
        };
    stored = codec.encode(1, raw);
  }

  @Benchmark
  public byte[] encode() {
    return codec.encode(42, raw);
  }

  @Benchmark
  public DecodedValue decode() {
    return codec.decode(stored);
  }
}
