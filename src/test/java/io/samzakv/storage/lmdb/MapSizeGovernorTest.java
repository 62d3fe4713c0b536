package io.samzakv.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lmdbjava.DbiFlags.MDB_CREATE;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

class MapSizeGovernorTest {

  private static final long MAP = 1 << 20;

  @TempDir Path dir;
  private Env<ByteBuffer> env;
  private Dbi<ByteBuffer> dbi;
  private MapSizeGovernor governor;

  @BeforeEach
  void openEnv() {
    env = Env.create().setMapSize(MAP).setMaxDbs(1).open(dir.toFile());
    dbi = env.openDbi("d", MDB_CREATE);
    governor = new MapSizeGovernor(env, new ReentrantReadWriteLock(), dir.resolve("data.mdb"));
  }

  @AfterEach
  void closeEnv() {
    env.close();
  }

  @Test
  void smallBatchInAnEmptyMapNeedsNoGrowth() {
    governor.ensureRoomFor(10_000, 10);

    assertThat(env.info().mapSize).isEqualTo(MAP);
  }

  @Test
  void batchThatWouldCrossTheHighWaterMarkDoublesTheMapUntilItFits() {
    governor.ensureRoomFor(3 * MAP, 1);

    // 2 * 3 MiB of payload plus the few used pages need a map of which that is at most 70%.
    assertThat(env.info().mapSize).isEqualTo(16 * MAP);
  }

  @Test
  void writeThatHitMapFullSucceedsAfterGrow() {
    assertThatThrownBy(() -> write(2 * MAP)).isInstanceOf(Env.MapFullException.class);

    governor.grow();
    governor.grow();

    write(2 * MAP);
    assertThat(env.info().mapSize).isEqualTo(4 * MAP);
  }

  @Test
  void growOnAClosedEnvironmentFailsInsteadOfTouchingFreedMemory() {
    env.close();

    assertThatThrownBy(governor::grow).isInstanceOf(IllegalStateException.class);
  }

  private void write(long bytes) {
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      ByteBuffer key = ByteBuffer.allocateDirect(8);
      for (long i = 0; i < bytes / 10_000; i++) {
        dbi.reserve(txn, key.clear().putLong(0, i), 10_000);
      }
      txn.commit();
    }
  }
}
