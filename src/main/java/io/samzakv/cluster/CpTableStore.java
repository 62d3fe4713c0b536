package io.samzakv.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cp.IAtomicReference;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The table in a CP Subsystem {@link IAtomicReference}: a Raft group of three members decides every
 * change, so a compare-and-set stays correct under a network partition (only the side with a
 * majority of the CP members can change the table) or a paused process (a paused member's late swap
 * finds the string changed and fails). With {@code failOnIndeterminateOperationState} set (see
 * {@link HazelcastSetup}) a swap whose outcome is unknown fails instead of being retried by
 * Hazelcast; {@link TableDirectory#change} then reads back whether it was stored.
 */
public final class CpTableStore extends AtomicTableStore {
  static final String NAME = "kv-table";

  private final HazelcastInstance hazelcast;
  private volatile IAtomicReference<String> reference;

  public CpTableStore(Vertx vertx, HazelcastInstance hazelcast) {
    super(vertx, "kv-table-store-cp");
    this.hazelcast = hazelcast;
  }

  /** The proxy is made by a blocking call to the CP Subsystem (once discovery has finished). */
  private Future<IAtomicReference<String>> reference() {
    IAtomicReference<String> made = reference;
    if (made != null) {
      return Future.succeededFuture(made);
    }
    return blocking(
        () -> {
          IAtomicReference<String> proxy = hazelcast.getCPSubsystem().getAtomicReference(NAME);
          reference = proxy;
          return proxy;
        });
  }

  @Override
  Future<String> get() {
    return reference().compose(proxy -> onVertx(proxy.getAsync()));
  }

  @Override
  Future<Boolean> setIfAbsent(String value) {
    return reference().compose(proxy -> onVertx(proxy.compareAndSetAsync(null, value)));
  }

  @Override
  Future<Boolean> swap(String expected, String next) {
    return reference().compose(proxy -> onVertx(proxy.compareAndSetAsync(expected, next)));
  }
}
