package io.samzakv.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samzakv.kv.Alarms;
import io.samzakv.kv.KvException;
import io.samzakv.storage.Mutation;
import io.samzakv.storage.StorageCorruptException;
import io.samzakv.storage.StorageEngine;
import io.samzakv.storage.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage met while applying a batch costs only the damaged partition: it is marked, raises the
 * alarm naming it and the file, and the rest of the batch is applied; its later requests are
 * refused with 503 partition_corrupt. Damage outside any partition is not hidden.
 */
class PartitionHealthTest {
  @TempDir Path dir;

  private final Alarms alarms = new Alarms();

  @Test
  void aPartitionThatFailsWhileApplyingIsLeftOutAndTheRestOfTheBatchApplies() {
    try (StorageEngine real = StoreFixture.openStorage(dir);
        StorageEngine engine = new DamagedAt(real, 2)) {
      PartitionHealth health = new PartitionHealth(alarms, engine.location());

      var leftOut =
          health.applyHealthy(
              engine,
              new WriteBatch(
                  List.of(
                      Mutation.put(1, b("a"), b("1")),
                      Mutation.put(2, b("b"), b("2")),
                      Mutation.put(3, b("c"), b("3"))),
                  7));

      assertThat(leftOut).containsExactly(2);
      assertThat(real.get(1, b("a"))).isEqualTo(b("1"));
      assertThat(real.get(2, b("b"))).isNull();
      assertThat(real.get(3, b("c"))).isEqualTo(b("3"));
      assertThat(real.appliedPosition()).isEqualTo(7);
      assertThat(health.isCorrupt(2)).isTrue();
      assertThat(health.refusal(1)).isNull();
      KvException refusal = health.refusal(2);
      assertThat(refusal.status()).isEqualTo(503);
      assertThat(refusal.code()).isEqualTo("partition_corrupt");
      assertThat(alarms.isRaised(Alarms.Alarm.CORRUPT)).isTrue();
      assertThat(alarms.active().get(0).detail()).contains("[2]").contains("data.mdb");
    }
  }

  @Test
  void everyDamagedPartitionIsNamedInTheAlarm() {
    PartitionHealth health = new PartitionHealth(alarms, "/d/lmdb/data.mdb");

    health.markCorrupt(5, "scrub: holds 3 entries, its evidence says 4");
    health.markCorrupt(1, "MDB_PAGE_NOTFOUND");

    assertThat(health.corrupt()).containsOnlyKeys(1, 5);
    assertThat(alarms.active())
        .singleElement()
        .extracting(Alarms.Raised::detail)
        .asString()
        .contains("[1, 5]")
        .contains("/d/lmdb/data.mdb");
  }

  @Test
  void damageOutsideAnyPartitionIsThrownNotHidden() {
    try (StorageEngine real = StoreFixture.openStorage(dir);
        StorageEngine engine = new DamagedAt(real, StorageCorruptException.WHOLE_STORE)) {
      PartitionHealth health = new PartitionHealth(alarms, engine.location());

      assertThatThrownBy(
              () ->
                  health.applyHealthy(
                      engine, new WriteBatch(List.of(Mutation.put(1, b("a"), b("1"))), 1)))
          .isInstanceOf(StorageCorruptException.class);
      assertThat(health.corrupt()).isEmpty();
    }
  }

  /** An engine whose writes fail as LMDB's do on a damaged page of one partition (or the meta). */
  private static final class DamagedAt extends ForwardingStorageEngine {
    private final int damaged;

    DamagedAt(StorageEngine real, int damaged) {
      super(real);
      this.damaged = damaged;
    }

    @Override
    public void apply(WriteBatch batch) {
      for (Mutation m : batch.mutations()) {
        if (damaged == StorageCorruptException.WHOLE_STORE || m.partition() == damaged) {
          throw new StorageCorruptException(damaged, "MDB_CORRUPTED in a test", null);
        }
      }
      super.apply(batch);
    }
  }

  private static byte[] b(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
