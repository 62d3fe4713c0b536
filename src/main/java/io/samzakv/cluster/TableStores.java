package io.samzakv.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.samzakv.config.NodeConfig;
import io.vertx.core.Vertx;

/** Picks the table's authority: the CP Subsystem when the cluster can form one, else an IMap. */
public final class TableStores {
  private TableStores() {}

  public static TableStore open(Vertx vertx, HazelcastInstance hazelcast, NodeConfig config) {
    return HazelcastSetup.usesCpSubsystem(config)
        ? new CpTableStore(vertx, hazelcast)
        : new MapTableStore(vertx, hazelcast);
  }
}
