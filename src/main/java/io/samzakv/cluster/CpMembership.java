package io.samzakv.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cp.CPMember;
import com.hazelcast.cp.CPSubsystemManagementService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Keeps the CP Subsystem at three live members, so the table's Raft group survives the next loss
 * too. Hazelcast does not do this by itself: it removes a missing CP member only after a delay and
 * never promotes an ordinary (AP) member. After every membership change, and every few seconds:
 *
 * <ul>
 *   <li>the oldest live CP member removes every CP member whose address has left the cluster;
 *   <li>a member restarted at the address of a CP member (it comes back with a new identity, and is
 *       not a CP member until promoted) removes its own former CP identity;
 *   <li>while fewer than three CP members are live, the oldest live AP member that is not a lite
 *       member promotes itself (one at a time, so a crowd of AP members does not all join).
 * </ul>
 *
 * <p>Thread contract: safe for any thread; the Hazelcast calls run on a worker thread of its own,
 * one check at a time.
 */
public final class CpMembership {
  private static final System.Logger LOG = System.getLogger(CpMembership.class.getName());
  private static final Duration CHECK_INTERVAL = Duration.ofSeconds(2);
  private static final long CALL_TIMEOUT_SECONDS = 10;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final WorkerExecutor blocking;
  private final AtomicBoolean checking = new AtomicBoolean();
  private final UUID listener;
  private final long timer;

  private CpMembership(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.blocking = vertx.createSharedWorkerExecutor("kv-cp-membership", 1);
    this.listener =
        hazelcast
            .getCluster()
            .addMembershipListener(
                new MembershipListener() {
                  @Override
                  public void memberAdded(MembershipEvent event) {
                    check();
                  }

                  @Override
                  public void memberRemoved(MembershipEvent event) {
                    check();
                  }
                });
    this.timer = vertx.setPeriodic(CHECK_INTERVAL.toMillis(), id -> check());
  }

  /** Starts watching the membership of {@code hazelcast}, a member with the CP Subsystem on. */
  public static CpMembership start(Vertx vertx, HazelcastInstance hazelcast) {
    CpMembership membership = new CpMembership(vertx, hazelcast);
    membership.check();
    return membership;
  }

  /** Runs one check unless one is running; completes when it is done. */
  public Future<Void> check() {
    if (!checking.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    return blocking
        .<Void>executeBlocking(
            () -> {
              checkNow();
              return null;
            },
            false)
        .onFailure(e -> LOG.log(Level.WARNING, "CP membership check failed: {0}", e.toString()))
        .eventually(() -> release());
  }

  private Future<Void> release() {
    checking.set(false);
    return Future.succeededFuture();
  }

  private void checkNow() throws Exception {
    if (!hazelcast.getLifecycleService().isRunning()) {
      return;
    }
    CPSubsystemManagementService cp = hazelcast.getCPSubsystem().getCPSubsystemManagementService();
    if (!cp.isDiscoveryCompleted()) {
      return;
    }
    Collection<CPMember> cpMembers =
        cp.getCPMembers().toCompletableFuture().get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    // Oldest first, as Hazelcast orders them. CP members are matched by address: a promoted
    // member's CP UUID is not its member UUID.
    Set<Member> live = hazelcast.getCluster().getMembers();
    Set<Address> liveAddresses = live.stream().map(Member::getAddress).collect(Collectors.toSet());
    List<CPMember> missing =
        cpMembers.stream().filter(m -> !liveAddresses.contains(m.getAddress())).toList();
    List<CPMember> predecessors = predecessors(cpMembers, cp.getLocalCPMember());
    Set<Address> cpAddresses =
        cpMembers.stream()
            .filter(m -> !missing.contains(m) && !predecessors.contains(m))
            .map(CPMember::getAddress)
            .collect(Collectors.toSet());
    if (!missing.isEmpty()
        && isLocal(live.stream().filter(m -> cpAddresses.contains(m.getAddress())).findFirst())) {
      for (CPMember gone : missing) {
        remove(cp, gone, "it has left the cluster");
      }
    }
    for (CPMember predecessor : predecessors) {
      remove(cp, predecessor, "it held this member's address before this member restarted");
    }
    Optional<Member> oldestAp =
        live.stream()
            .filter(m -> !cpAddresses.contains(m.getAddress()) && !m.isLiteMember())
            .findFirst();
    if (cpAddresses.size() < HazelcastSetup.CP_MEMBERS && isLocal(oldestAp)) {
      LOG.log(
          Level.INFO,
          "promoting this member to the CP Subsystem: {0} of {1} CP members are live",
          cpAddresses.size(),
          HazelcastSetup.CP_MEMBERS);
      cp.promoteToCPMember().toCompletableFuture().get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      LOG.log(Level.INFO, "this member is now a CP member");
    }
  }

  /**
   * CP members at this member's address that are not this member: its own identity from before a
   * restart (a member comes back with a new UUID and is not a CP member until promoted). Only this
   * member can tell, since to the others the address looks alive.
   */
  private List<CPMember> predecessors(Collection<CPMember> cpMembers, CPMember self) {
    Address here = hazelcast.getCluster().getLocalMember().getAddress();
    return cpMembers.stream()
        .filter(m -> m.getAddress().equals(here))
        .filter(m -> self == null || !m.getUuid().equals(self.getUuid()))
        .toList();
  }

  private static void remove(CPSubsystemManagementService cp, CPMember member, String why)
      throws Exception {
    LOG.log(
        Level.INFO,
        "removing CP member {0} ({1}) from the CP Subsystem: {2}",
        member.getUuid(),
        member.getAddress(),
        why);
    cp.removeCPMember(member.getUuid())
        .toCompletableFuture()
        .get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private static boolean isLocal(Optional<Member> member) {
    return member.map(Member::localMember).orElse(false);
  }

  /** Stops watching. */
  public void close() {
    vertx.cancelTimer(timer);
    if (hazelcast.getLifecycleService().isRunning()) {
      hazelcast.getCluster().removeMembershipListener(listener);
    }
    blocking.close();
  }
}
