package io.samzakv.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ValueCodecTest {

  private static final int MAX = 4 << 20;
  private final ValueCodec codec = new ValueCodec(true, MAX);

  @Test
  void smallValueRoundTripsRaw() {
    byte[] value = "hello".getBytes(UTF_8);
    byte[] stored = codec.encode(42, value);

    assertThat(stored).hasSize(13 + value.length);
    assertThat(stored[8]).isZero();
    assertThat(codec.decode(stored).version()).isEqualTo(42);
    assertThat(codec.decode(stored).value()).isEqualTo(value);
  }

  @Test
  void compressible64KiBValueIsStoredSmallerAndRoundTrips() {
    byte[] value = compressible(64 << 10);
    byte[] stored = codec.encode(7, value);

    assertThat(stored.length).isLessThan(value.length / 4);
    assertThat(stored[8]).isEqualTo(ValueCodec.FLAG_LZ4);
    DecodedValue decoded = codec.decode(stored);
    assertThat(decoded.version()).isEqualTo(7);
    assertThat(decoded.value()).isEqualTo(value);
  }

  @Test
  void randomBytesStayRawBecauseCompressionDoesNotSaveSpace() {
    byte[] value = random(64 << 10, 1);
    byte[] stored = codec.encode(1, value);

    assertThat(stored[8]).isZero();
    assertThat(stored).hasSize(13 + value.length);
    assertThat(codec.decode(stored).value()).isEqualTo(value);
  }

  @Test
  void compressionOffStoresCompressibleValuesRaw() {
    ValueCodec plain = new ValueCodec(false, MAX);
    byte[] value = compressible(4096);
    byte[] stored = plain.encode(3, value);

    assertThat(stored[8]).isZero();
    assertThat(plain.decode(stored).value()).isEqualTo(value);
  }

  @Test
  void emptyValueRoundTrips() {
    DecodedValue decoded = codec.decode(codec.encode(-5, new byte[0]));

    assertThat(decoded.version()).isEqualTo(-5);
    assertThat(decoded.value()).isEmpty();
  }

  @Test
  void oneMiBValuesRoundTripCompressedAndRaw() {
    byte[] compressible = compressible(1 << 20);
    byte[] incompressible = random(1 << 20, 2);

    assertThat(codec.decode(codec.encode(Long.MAX_VALUE, compressible)).value())
        .isEqualTo(compressible);
    assertThat(codec.decode(codec.encode(Long.MIN_VALUE, incompressible)).value())
        .isEqualTo(incompressible);
  }

  @Test
  void everySingleBitFlipOfASmallRawValueIsDetected() {
    assertEveryFlipDetected(codec.encode(9, "small value".getBytes(UTF_8)), 1);
  }

  @Test
  void everySingleBitFlipOfASmallCompressedValueIsDetected() {
    byte[] stored = codec.encode(9, compressible(200));
    assertThat(stored[8]).isEqualTo(ValueCodec.FLAG_LZ4);

    assertEveryFlipDetected(stored, 1);
  }

  @Test
  void sampledBitFlipsOfLargeValuesAreDetected() {
    byte[] compressed = codec.encode(11, compressible(256 << 10));
    byte[] raw = codec.encode(11, random(256 << 10, 3));

    assertEveryFlipDetected(compressed, 97);
    assertEveryFlipDetected(raw, 997);
  }

  @Test
  void everyTruncationIsDetected() {
    byte[] stored = codec.encode(5, compressible(300));

    for (int length = 0; length < stored.length; length++) {
      byte[] truncated = Arrays.copyOf(stored, length);
      assertThatThrownBy(() -> codec.decode(truncated))
          .as("truncated to %d bytes", length)
          .isInstanceOf(CorruptValueException.class);
    }
  }

  @Test
  void unknownFlagsAreReportedAsSuch() {
    byte[] stored = codec.encode(5, new byte[3]);
    stored[8] = 0x40;

    assertThatThrownBy(() -> codec.decode(stored))
        .isInstanceOf(CorruptValueException.class)
        .hasMessageContaining("flags");
  }

  @Test
  void compressedValueLargerThanTheReaderLimitIsRejectedBeforeAllocating() {
    byte[] stored = codec.encode(5, compressible(10_000));

    assertThatThrownBy(() -> new ValueCodec(true, 1000).decode(stored))
        .isInstanceOf(CorruptValueException.class)
        .hasMessageContaining("10000");
  }

  private void assertEveryFlipDetected(byte[] stored, int bitStride) {
    for (int bit = 0; bit < stored.length * 8; bit += bitStride) {
      byte[] flipped = stored.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      int at = bit;
      assertThatThrownBy(() -> codec.decode(flipped))
          .as("bit %d flipped", at)
          .isInstanceOf(CorruptValueException.class);
    }
  }

  private static byte[] compressible(int size) {
    byte[] value = new byte[size];
    byte[] phrase = "the quick brown fox jumps over the lazy dog; ".getBytes(UTF_8);
    for (int i = 0; i < size; i++) {
      value[i] = phrase[i % phrase.length];
    }
    return value;
  }

  private static byte[] random(int size, long seed) {
    byte[] value = new byte[size];
    new SplittableRandom(seed).nextBytes(value);
    return value;
  }
}
