package io.samzakv.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.ScanItem;
import io.samzakv.kv.ScanPage;
import io.samzakv.kv.ScanRange;
import io.samzakv.kv.VersionedValue;
import io.samzakv.routing.ForwardProtocol.Fence;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a sender encodes is what the primary decodes, for every op and every precondition. */
class ForwardProtocolTest {
  private static final Fence FENCE = new Fence(63, Long.MAX_VALUE - 1);

  @Test
  void putsCarryTheirKeyValueAndPreconditionUnchanged() {
    byte[] value = {0, 1, (byte) 0xFF, 42};
    for (Precondition precondition :
        List.of(
            Precondition.NONE,
            Precondition.ABSENT,
            Precondition.ifVersion(0),
            Precondition.ifVersion(9))) {
      ForwardProtocol.Put put =
          (ForwardProtocol.Put)
              roundTrip(
                  new ForwardProtocol.Put(
                      FENCE, Key.of("k/\u00e9\uD83D\uDE00"), value, precondition));
      assertThat(put.fence()).isEqualTo(FENCE);
      assertThat(put.key().text()).isEqualTo("k/\u00e9\uD83D\uDE00");
      assertThat(put.value()).containsExactly(value);
      assertThat(put.precondition()).isEqualTo(precondition);
    }
  }

  @Test
  void reservedKeysOfLocksCrossTheWire() {
    Key lock = Key.reserved("lock/nightly");
    ForwardProtocol.Delete delete =
        (ForwardProtocol.Delete)
            roundTrip(new ForwardProtocol.Delete(FENCE, lock, Precondition.ifVersion(3)));
    assertThat(delete.key()).usingRecursiveComparison().isEqualTo(lock);
    assertThat(((ForwardProtocol.Get) roundTrip(new ForwardProtocol.Get(FENCE, lock))).key().text())
        .isEqualTo(lock.text());
  }

  @Test
  void scansCarryEveryFenceTheirRangeAndLimit() {
    List<Fence> fences = List.of(new Fence(1, 4), new Fence(5, 6));
    ForwardProtocol.Scan open =
        (ForwardProtocol.Scan)
            roundTrip(new ForwardProtocol.Scan(fences, ScanRange.between(Key.of("a"), null), 10));
    assertThat(open.fences()).isEqualTo(fences);
    assertThat(open.partitions()).containsExactly(1, 5);
    assertThat(open.range().start()).isEqualTo(bytes("a"));
    assertThat(open.range().end()).isNull();
    assertThat(open.limit()).isEqualTo(10);

    ForwardProtocol.Scan bounded =
        (ForwardProtocol.Scan)
            roundTrip(new ForwardProtocol.Scan(fences, ScanRange.prefix(Key.of("p/")), 1));
    assertThat(bounded.range().end()).isEqualTo(bytes("p0"));
  }

  @Test
  void repliesDecodeToWhatWasEncoded() {
    VersionedValue value =
        ForwardProtocol.decodeValue(ForwardProtocol.encodeValue(new VersionedValue(7, bytes("v"))));
    assertThat(value.version()).isEqualTo(7);
    assertThat(value.value()).isEqualTo(bytes("v"));
    assertThat(
            ForwardProtocol.decodeValue(
                    ForwardProtocol.encodeValue(new VersionedValue(1, new byte[0])))
                .value())
        .isEmpty();
    assertThat(ForwardProtocol.decodeVersion(ForwardProtocol.encodeVersion(12))).isEqualTo(12);

    ScanPage page =
        new ScanPage(
            List.of(new ScanItem("a", bytes("1"), 1), new ScanItem("\uD83D\uDE00", new byte[0], 3)),
            "b");
    ScanPage decoded = ForwardProtocol.decodePage(ForwardProtocol.encodePage(page));
    assertThat(decoded.next()).isEqualTo("b");
    assertThat(decoded.items())
        .usingRecursiveFieldByFieldElementComparator()
        .containsExactlyElementsOf(page.items());
    assertThat(
            ForwardProtocol.decodePage(ForwardProtocol.encodePage(new ScanPage(List.of(), null)))
                .next())
        .isNull();
  }

  @Test
  void aTruncatedRequestIsA400NotACrash() {
    Buffer whole =
        ForwardProtocol.encode(
            new ForwardProtocol.Put(FENCE, Key.of("k"), bytes("value"), Precondition.NONE));
    assertThatThrownBy(() -> ForwardProtocol.decode(whole.getBuffer(0, whole.length() - 1)))
        .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  private static ForwardProtocol.Request roundTrip(ForwardProtocol.Request request) {
    return ForwardProtocol.decode(ForwardProtocol.encode(request));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
