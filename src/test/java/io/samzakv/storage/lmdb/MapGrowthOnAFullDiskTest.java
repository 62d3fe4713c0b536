package io.samzakv.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samzakv.disk.NoSpaceException;
import io.samzakv.testing.Tmpfs;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Env;

/**
 * The map's early growth (at 70% use) is a margin: on a disk that cannot take the next step, a
 * batch the allocated map still holds goes ahead, and only one it cannot hold is refused. Runs on a
 * 1.2 MiB tmpfs, so the 1 MiB map fits and its doubling does not (needs root to mount).
 */
class MapGrowthOnAFullDiskTest {
  private static final long MAP = 1 << 20;

  @TempDir Path dir;
  private Tmpfs tmpfs;
  private Env<ByteBuffer> env;
  private MapSizeGovernor governor;

  @BeforeEach
  void openEnvOnATinyTmpfs() throws Exception {
    tmpfs = Tmpfs.mountOrSkip(dir.resolve("mnt"), "size=1200k");
    Path mount = tmpfs.path();
    env = Env.create().setMapSize(MAP).setMaxDbs(1).open(mount.toFile());
    governor = new MapSizeGovernor(env, new ReentrantReadWriteLock(), mount.resolve("data.mdb"));
    governor.allocateMap();
  }

  @AfterEach
  void closeAndUnmount() throws Exception {
    if (env != null) {
      env.close();
    }
    if (tmpfs != null) {
      tmpfs.close();
    }
  }

  @Test
  void aBatchPastTheHighWaterMarkThatTheMapHoldsIsNotRefused() {
    // About 0.8 MiB needed: past 70% of the map, within the map.
    governor.ensureRoomFor(400 << 10, 1);

    assertThat(env.info().mapSize).as("the map could not grow, and did not need to").isEqualTo(MAP);
  }

  @Test
  void aBatchTheMapCannotHoldIsRefusedForSpace() {
    assertThatThrownBy(() -> governor.ensureRoomFor(600 << 10, 1))
        .isInstanceOf(NoSpaceException.class);
    assertThat(env.info().mapSize).isEqualTo(MAP);
  }
}
