package io.samzakv.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reserved key space: keys starting with NUL hold the node's own records. Users cannot name
 * them (a NUL byte in a key is a 400), and no range a user can ask for reaches them.
 */
class ReservedKeysTest {

  @ParameterizedTest
  @ValueSource(strings = {"\u0000", "\u0000lock/job", "a\u0000", "a\u0000b"})
  void aKeyWithANulByteIs400FromTextAndFromBytes(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> Key.of(text))
        .isInstanceOfSatisfying(KvException.class, e -> assertInvalidKey(e));
    assertThatThrownBy(() -> Key.fromUtf8(utf8))
        .isInstanceOfSatisfying(KvException.class, e -> assertInvalidKey(e));
  }

  private static void assertInvalidKey(KvException e) {
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.code()).isEqualTo("invalid_key");
    assertThat(e.getMessage()).contains("NUL");
  }

  @Test
  void aReservedKeyStartsWithNulAndIsBoundByTheKeyLimit() {
    Key key = Key.reserved("lock/job");

    assertThat(key.utf8()).startsWith(0, 'l');
    assertThat(key.text()).isEqualTo("\u0000lock/job");
    assertThat(Key.stored(key.utf8()).text()).isEqualTo(key.text());
    assertThat(Key.reserved("x".repeat(Key.MAX_BYTES - 1)).utf8()).hasSize(Key.MAX_BYTES);
    assertThatThrownBy(() -> Key.reserved("x".repeat(Key.MAX_BYTES)))
        .isInstanceOf(KvException.class);
  }

  @Test
  void aRangeWithoutAStartBeginsAboveTheReservedSpace() {
    ScanRange everything = ScanRange.between(null, null);

    assertThat(everything.start()).containsExactly(1);
    assertThat(everything.end()).isNull();
    assertThat(new ScanRange(new byte[0], null).start()).containsExactly(1);
    assertThat(ScanRange.between(null, Key.of("b")).start()).containsExactly(1);
  }

  @Test
  void userRangesAndPrefixesAreLeftAsTheyAre() {
    assertThat(ScanRange.between(Key.of("a"), null).start()).containsExactly('a');
    assertThat(ScanRange.prefix(Key.of("\u0001")).start()).containsExactly(1);
    assertThat(ScanRange.prefix(Key.of("users/")).startingAtLeast(new byte[0]).start())
        .isEqualTo("users/".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void onlyARangeThatStartsAtAReservedKeyReachesIntoTheReservedSpace() {
    ScanRange locks = ScanRange.prefix(Key.reserved("lock/"));

    assertThat(locks.start()).isEqualTo(Key.reserved("lock/").utf8());
    assertThat(locks.end()).isEqualTo(Key.reserved("lock0").utf8());
  }
}
