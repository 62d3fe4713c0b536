package io.samzakv.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.oplog.LogOp;
import io.samzakv.oplog.LogRecord;
import io.samzakv.storage.KeyValue;
import io.samzakv.storage.PartitionHistory;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a primary sends is what its replica reads: records and snapshot chunks, byte for byte. */
class CodecTest {

  private static final List<LogRecord> RECORDS =
      List.of(
          new LogRecord(17, 3, 2, 41, LogOp.PUT, b("k1"), b("value one")),
          new LogRecord(18, 3, 2, 42, LogOp.DELETE, b("k2"), null),
          new LogRecord(19, 5, 7, 1, LogOp.PUT, b("k3"), new byte[0]),
          new LogRecord(20, 0, Long.MAX_VALUE, Long.MAX_VALUE - 1, LogOp.PUT, new byte[0], b("v")));

  private static final Map<Integer, Long> FENCES = Map.of(3, 4L, 5, 7L, 0, Long.MAX_VALUE);

  @Test
  void recordsRoundTripWithTheirFencesButNotTheirLocalPosition() {
    RecordCodec.Shipment shipment = RecordCodec.decode(RecordCodec.encode(FENCES, RECORDS));
    List<LogRecord> decoded = shipment.records();

    assertThat(shipment.fences()).isEqualTo(FENCES);
    assertThat(decoded).hasSameSizeAs(RECORDS);
    for (int i = 0; i < RECORDS.size(); i++) {
      LogRecord sent = RECORDS.get(i);
      assertThat(decoded.get(i))
          .usingRecursiveComparison()
          .isEqualTo(
              new LogRecord(
                  0,
                  sent.partition(),
                  sent.epoch(),
                  sent.sequence(),
                  sent.op(),
                  sent.key(),
                  sent.value()));
    }
    assertThat(decoded.get(1).value()).as("a delete").isNull();
    assertThat(decoded.get(2).value()).as("an empty put").isNotNull().isEmpty();
  }

  @Test
  void recordsDecodeFromAnOffsetAndNoRecordsRoundTrip() {
    Buffer framed =
        Buffer.buffer().appendBytes(b("head")).appendBuffer(RecordCodec.encode(FENCES, RECORDS));

    assertThat(RecordCodec.decode(framed, 4).records()).hasSameSizeAs(RECORDS);
    RecordCodec.Shipment empty = RecordCodec.decode(RecordCodec.encode(Map.of(), List.of()));
    assertThat(empty.fences()).isEmpty();
    assertThat(empty.records()).isEmpty();
  }

  @Test
  void entryChunksRoundTrip() {
    List<KeyValue> entries =
        List.of(new KeyValue(6, b("a"), b("first")), new KeyValue(6, b("b"), new byte[0]));

    SnapshotCodec.Chunk chunk = SnapshotCodec.decode(SnapshotCodec.entries(6, 42L, entries));
    assertThat(chunk.attachId()).isEqualTo(42L);

    assertThat(chunk.last()).isFalse();
    assertThat(chunk.partition()).isEqualTo(6);
    assertThat(chunk.entries()).usingRecursiveFieldByFieldElementComparator().isEqualTo(entries);
    assertThat(SnapshotCodec.decode(SnapshotCodec.entries(6, 42L, List.of())).entries()).isEmpty();
  }

  @Test
  void theLastChunkCarriesTheHistoryAndTheTail() {
    PartitionHistory history = PartitionHistory.EMPTY.advance(1, 1).advance(4, 8).advance(4, 40);

    SnapshotCodec.Chunk chunk =
        SnapshotCodec.decode(SnapshotCodec.last(3, 42L, history, 9, RECORDS));

    assertThat(chunk.last()).isTrue();
    assertThat(chunk.partition()).isEqualTo(3);
    assertThat(chunk.history()).isEqualTo(history);
    assertThat(chunk.entries()).isEmpty();
    assertThat(chunk.tail().fences()).isEqualTo(Map.of(3, 9L));
    assertThat(chunk.tail().records())
        .extracting(LogRecord::sequence)
        .containsExactly(41L, 42L, 1L, Long.MAX_VALUE - 1);
    assertThat(chunk.tail().records().get(1).op()).isEqualTo(LogOp.DELETE);

    SnapshotCodec.Chunk bare =
        SnapshotCodec.decode(SnapshotCodec.last(3, 42L, PartitionHistory.EMPTY, 1, List.of()));
    assertThat(bare.last()).isTrue();
    assertThat(bare.history()).isEqualTo(PartitionHistory.EMPTY);
    assertThat(bare.tail().records()).isEmpty();
  }

  private static byte[] b(String text) {
    return text.getBytes(UTF_8);
  }
}
