package io.samzakv.oplog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class RecordFrameTest {

  private final CRC32C crc = new CRC32C();

  @Test
  void putWithValueRoundTrips() {
    assertRoundTrip(new LogRecord(7, 3, 1, 0, LogOp.PUT, bytes(5, 'k'), bytes(40, 'v')));
  }

  @Test
  void deleteRoundTripsWithNullValue() {
    assertRoundTrip(new LogRecord(8, 0, 1, 0, LogOp.DELETE, bytes(5, 'k'), null));
  }

  @Test
  void emptyValueStaysDistinctFromDelete() {
    LogRecord decoded =
        assertRoundTrip(new LogRecord(9, 1, 1, 0, LogOp.PUT, bytes(1, 'k'), new byte[0]));
    assertThat(decoded.value()).isNotNull().isEmpty();
  }

  @Test
  void maximalLmdbKeyRoundTrips() {
    assertRoundTrip(new LogRecord(10, 2, 1, 0, LogOp.PUT, bytes(511, 'k'), bytes(3, 'v')));
  }

  @Test
  void oneMebibyteValueRoundTrips() {
    assertRoundTrip(new LogRecord(11, 2, 1, 0, LogOp.PUT, bytes(16, 'k'), bytes(1 << 20, 'v')));
  }

  @Test
  void checksumChangesWhenAnyBodyByteFlips() {
    ByteBuffer frame = encode(new LogRecord(1, 0, 1, 0, LogOp.PUT, bytes(4, 'k'), bytes(4, 'v')));
    int length = frame.getInt(0);
    frame.put(RecordFrame.HEADER + 10, (byte) (frame.get(RecordFrame.HEADER + 10) ^ 1));
    assertThat(RecordFrame.checksum(crc, frame, RecordFrame.HEADER, length))
        .isNotEqualTo(frame.getInt(4));
  }

  @Test
  void deleteCarryingValueLengthIsMalformed() {
    ByteBuffer frame = encode(new LogRecord(1, 0, 1, 0, LogOp.DELETE, bytes(4, 'k'), null));
    frame.put(RecordFrame.HEADER + RecordFrame.OP, LogOp.PUT.code());
    assertThat(RecordFrame.wellFormed(frame, RecordFrame.HEADER, frame.getInt(0))).isFalse();
  }

  @Test
  void recordAboveSizeLimitIsRejected() {
    assertThatThrownBy(() -> RecordFrame.frameSize(new byte[1], new byte[RecordFrame.MAX_BODY]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private LogRecord assertRoundTrip(LogRecord record) {
    ByteBuffer frame = encode(record);
    int length = frame.getInt(0);
    assertThat(frame.limit()).isEqualTo(RecordFrame.frameSize(record.key(), record.value()));
    assertThat(length).isEqualTo(frame.limit() - RecordFrame.HEADER);
    assertThat(RecordFrame.checksum(crc, frame, RecordFrame.HEADER, length))
        .isEqualTo(frame.getInt(4));
    assertThat(RecordFrame.wellFormed(frame, RecordFrame.HEADER, length)).isTrue();
    LogRecord decoded = RecordFrame.decode(frame, RecordFrame.HEADER);
    // Field by field: a recursive comparison walks a 1 MiB array element by element, slowly.
    assertThat(decoded.position()).isEqualTo(record.position());
    assertThat(decoded.partition()).isEqualTo(record.partition());
    assertThat(decoded.op()).isEqualTo(record.op());
    assertThat(decoded.key()).isEqualTo(record.key());
    assertThat(decoded.value()).isEqualTo(record.value());
    return decoded;
  }

  private ByteBuffer encode(LogRecord record) {
    ByteBuffer buffer =
        ByteBuffer.allocateDirect(RecordFrame.frameSize(record.key(), record.value()));
    RecordFrame.encode(
        buffer,
        crc,
        record.position(),
        record.partition(),
        record.epoch(),
        record.sequence(),
        record.op(),
        record.key(),
        record.value());
    return buffer.flip();
  }

  private static byte[] bytes(int length, char fill) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) fill);
    return bytes;
  }
}
