package io.samzakv.cluster;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;

/**
 * How the partition table changes: pure functions from the current table, the live members and what
 * they report, to the next table. Whoever holds the table authority computes the next table with
 * these and stores it by compare-and-set; nothing here talks to the cluster.
 *
 * <p>A function given the current table returns that table itself when nothing changes and
 * otherwise its {@link PartitionTable#successor} (epoch + 1). Three rules hold throughout (a full
 * restart's first table, which starts a new leader epoch everywhere, aside):
 *
 * <ul>
 *   <li>only a member in a partition's in-sync set ever becomes its primary, so no acknowledged
 *       write is lost;
 *   <li>a partition's leader epoch changes exactly when its primary does, to the new table's epoch;
 *   <li>a new copy starts out of sync: it joins the in-sync set through {@link #withInSync} once
 *       its primary has seen it catch up.
 * </ul>
 *
 * <p>Thread contract: stateless; safe for any thread, never blocks.
 */
public final class TableAssignment {
  private static final long FIRST_EPOCH = 1;

  private TableAssignment() {}

  /**
   * The first table of a brand-new cluster, at epoch 1, every copy in sync, laid out over the
   * sorted member ids (so it depends only on the set of members) in rounds of one partition per
   * member. In a full round member i is primary once and its replicas sit at fixed offsets after
   * it, so every member gets one primary and R copies; the offsets shift from round to round, as
   * Kafka's replica assignment does, so a dead member's partitions fail over to many members rather
   * than one. The last, partial round deals its copies round-robin in windows of R consecutive
   * members and takes each window's primary at a distinct member. Primaries per member thus differ
   * by at most one, and so do copies per member.
   */
  public static PartitionTable initial(int partitions, int replication, List<String> members) {
    if (partitions < 1 || replication < 1 || members.isEmpty()) {
      throw new IllegalArgumentException(
          "need partitions >= 1, replication >= 1 and a member, got "
              + partitions
              + ", "
              + replication
              + ", "
              + members);
    }
    List<String> ids = members.stream().distinct().sorted().toList();
    int n = ids.size();
    int copies = Math.min(replication, n);
    List<PartitionAssignment> assignments = new ArrayList<>(partitions);
    for (int round = 0; round < partitions / n; round++) {
      for (int i = 0; i < n; i++) {
        List<String> holders = new ArrayList<>(copies);
        holders.add(ids.get(i));
        for (int j = 1; j < copies; j++) {
          holders.add(ids.get((i + 1 + (round + j - 1) % (n - 1)) % n));
        }
        assignments.add(fullyInSync(holders));
      }
    }
    // Window i starts at i * copies, a multiple of g; the windows sharing a start are n / g apart,
    // and the k-th of them (k < g <= copies) takes the member k past the start: all distinct.
    int g = BigInteger.valueOf(copies).gcd(BigInteger.valueOf(n)).intValue();
    for (int i = 0; i < partitions % n; i++) {
      String primary = ids.get((i * copies + i / (n / g)) % n);
      List<String> holders = new ArrayList<>(copies);
      holders.add(primary);
      for (int j = 0; j < copies; j++) {
        String id = ids.get((i * copies + j) % n);
        if (!id.equals(primary)) {
          holders.add(id);
        }
      }
      assignments.add(fullyInSync(holders));
    }
    return new PartitionTable(FIRST_EPOCH, replication, assignments);
  }

  /** The first epoch's assignment of {@code holders}, the first of them primary, all in sync. */
  private static PartitionAssignment fullyInSync(List<String> holders) {
    return new PartitionAssignment(
        holders.get(0), FIRST_EPOCH, holders.subList(1, holders.size()), holders);
  }

  /**
   * The table once every member outside {@code live} is gone: it leaves the copies and in-sync set
   * of every partition. A partition whose primary died gets the live in-sync replica with the
   * fewest primaries (ties: the earliest in its replica order); with none left it has no primary
   * (it is unavailable), keeps its remaining copies and keeps its in-sync set, dead members and
   * all, until one of them is live again and is promoted here.
   */
  public static PartitionTable afterLoss(PartitionTable current, Set<String> live) {
    long epoch = current.epoch() + 1;
    Map<String, Integer> primaries = primaryCounts(current, live);
    List<PartitionAssignment> next = new ArrayList<>(current.partitionCount());
    for (PartitionAssignment assignment : current.partitions()) {
      List<String> replicas = assignment.replicas().stream().filter(live::contains).toList();
      List<String> inSync = assignment.inSync().stream().filter(live::contains).toList();
      String primary = assignment.primary();
      if (primary != null && live.contains(primary)) {
        next.add(new PartitionAssignment(primary, assignment.leaderEpoch(), replicas, inSync));
        continue;
      }
      String promoted =
          inSync.stream()
              .min(
                  Comparator.<String>comparingInt(id -> primaries.getOrDefault(id, 0))
                      .thenComparingInt(replicas::indexOf))
              .orElse(null);
      if (promoted == null) {
        // No live copy holds every acknowledged write. The in-sync set is kept as it was: those
        // members are the only ones that may ever serve the partition again, and the first of them
        // to come back is promoted (Kafka keeps its last leader in the ISR for the same reason).
        long leaderEpoch = primary == null ? assignment.leaderEpoch() : epoch;
        next.add(new PartitionAssignment(null, leaderEpoch, replicas, assignment.inSync()));
      } else {
        primaries.merge(promoted, 1, Integer::sum);
        next.add(new PartitionAssignment(promoted, epoch, without(replicas, promoted), inSync));
      }
    }
    return changed(current, next);
  }

  /**
   * The table with {@code member} out of {@code partition}'s in-sync set: its primary stops waiting
   * for it. The primary itself cannot leave; it leaves through {@link #afterLoss}.
   */
  public static PartitionTable withoutInSync(PartitionTable table, int partition, String member) {
    PartitionAssignment assignment = table.assignment(partition);
    if (!assignment.isInSync(member)) {
      return table;
    }
    if (member.equals(assignment.primary())) {
      throw new IllegalArgumentException(
          member
              + " is the primary of partition "
              + partition
              + " and cannot leave its in-sync set");
    }
    return replaced(
        table,
        partition,
        new PartitionAssignment(
            assignment.primary(),
            assignment.leaderEpoch(),
            assignment.replicas(),
            without(assignment.inSync(), member)));
  }

  /**
   * The table with replica {@code member} in {@code partition}'s in-sync set, once its primary has
   * seen it catch up. A partition without a primary has no one to catch up with, so it refuses.
   */
  public static PartitionTable withInSync(PartitionTable table, int partition, String member) {
    PartitionAssignment assignment = table.assignment(partition);
    if (assignment.isInSync(member)) {
      return table;
    }
    if (assignment.primary() == null || !assignment.replicas().contains(member)) {
      throw new IllegalArgumentException(
          member + " is not a replica of partition " + partition + " under a primary");
    }
    List<String> inSync = new ArrayList<>(assignment.inSync());
    inSync.add(member);
    return replaced(
        table,
        partition,
        new PartitionAssignment(
            assignment.primary(), assignment.leaderEpoch(), assignment.replicas(), inSync));
  }

  /**
   * The table with every partition that has a live primary back to min(R, live members) live
   * copies: new replicas, out of sync until they catch up, go first to members reporting data of
   * the partition in {@code held} (a restarted member fetches only its missing tail), then to those
   * with the fewest copies. Never removes a copy. A partition without a live primary is left alone:
   * a new copy would have no one to catch up from, and which stale copy to trust is not a guess
   * made here.
   */
  public static PartitionTable restoreReplication(
      PartitionTable current, Set<String> live, Map<String, Set<Integer>> held) {
    int target = Math.min(current.replication(), live.size());
    Map<String, Integer> copies = copyCounts(current, live);
    List<PartitionAssignment> next = new ArrayList<>(current.partitionCount());
    for (int p = 0; p < current.partitionCount(); p++) {
      PartitionAssignment assignment = current.assignment(p);
      long missing = target - assignment.copies().stream().filter(live::contains).count();
      if (assignment.primary() == null || !live.contains(assignment.primary()) || missing <= 0) {
        next.add(assignment);
        continue;
      }
      int partition = p;
      List<String> added =
          live.stream()
              .filter(id -> !assignment.copies().contains(id))
              .sorted(
                  Comparator.<String>comparingInt(
                          id -> held.getOrDefault(id, Set.of()).contains(partition) ? 0 : 1)
                      .thenComparingInt(copies::get)
                      .thenComparing(Comparator.naturalOrder()))
              .limit(missing)
              .toList();
      added.forEach(id -> copies.merge(id, 1, Integer::sum));
      List<String> replicas = new ArrayList<>(assignment.replicas());
      replicas.addAll(added);
      next.add(
          new PartitionAssignment(
              assignment.primary(), assignment.leaderEpoch(), replicas, assignment.inSync()));
    }
    return changed(current, next);
  }

  /**
   * The table with copies spread over the live members: a member holding fewer than its share
   * ({@code P * min(R, n) / n}, rounded down) gets a new copy, out of sync until it catches up, of
   * a partition that one of the busiest members holds, preferring partitions it reports data of in
   * {@code held} (a restarted member then fetches only its missing tail). The partition has one
   * copy too many for a while; {@link #trimCopies} drops the busiest member's once all are in sync.
   * One extra copy per partition at a time; partitions without a live primary are left alone.
   */
  public static PartitionTable spreadCopies(
      PartitionTable current, Set<String> live, Map<String, Set<Integer>> held) {
    int target = Math.min(current.replication(), live.size());
    int share = current.partitionCount() * target / Math.max(1, live.size());
    Map<String, Integer> copies = copyCounts(current, live);
    List<PartitionAssignment> next = new ArrayList<>(current.partitions());
    List<String> members =
        live.stream()
            .sorted(Comparator.<String>comparingInt(copies::get).thenComparing(id -> id))
            .toList();
    for (String member : members) {
      while (copies.get(member) < share) {
        int chosen = -1;
        String donor = null;
        for (int p = 0; p < next.size(); p++) {
          PartitionAssignment assignment = next.get(p);
          if (assignment.primary() == null
              || !live.contains(assignment.primary())
              || assignment.copies().size() != target
              || assignment.copies().contains(member)) {
            continue;
          }
          // A replica, never the primary: only a replica can leave once the new copy is in sync.
          String busiest =
              assignment.replicas().stream()
                  .filter(id -> copies.getOrDefault(id, 0) > share)
                  .max(Comparator.<String>comparingInt(copies::get).thenComparing(id -> id))
                  .orElse(null);
          if (busiest == null) {
            continue;
          }
          boolean better =
              chosen < 0
                  || (held.getOrDefault(member, Set.of()).contains(p)
                      && !held.getOrDefault(member, Set.of()).contains(chosen));
          if (better) {
            chosen = p;
            donor = busiest;
          }
        }
        if (chosen < 0) {
          break;
        }
        PartitionAssignment assignment = next.get(chosen);
        List<String> replicas = new ArrayList<>(assignment.replicas());
        replicas.add(member);
        next.set(
            chosen,
            new PartitionAssignment(
                assignment.primary(), assignment.leaderEpoch(), replicas, assignment.inSync()));
        copies.merge(member, 1, Integer::sum);
        copies.merge(donor, -1, Integer::sum);
      }
    }
    return changed(current, next);
  }

  /**
   * The table without the extra copies {@link #spreadCopies} made, once every copy of such a
   * partition is in sync: the replica on the member holding the most copies leaves (never the
   * primary), so a partition never drops below {@code min(R, n)} in-sync copies.
   */
  public static PartitionTable trimCopies(PartitionTable current, Set<String> live) {
    int target = Math.min(current.replication(), live.size());
    Map<String, Integer> copies = copyCounts(current, live);
    List<PartitionAssignment> next = new ArrayList<>(current.partitions());
    for (int p = 0; p < next.size(); p++) {
      PartitionAssignment assignment = next.get(p);
      if (assignment.primary() == null
          || assignment.copies().size() <= target
          || assignment.inSync().size() != assignment.copies().size()) {
        continue;
      }
      String leaving =
          assignment.replicas().stream()
              .max(
                  Comparator.<String>comparingInt(id -> copies.getOrDefault(id, 0))
                      .thenComparing(id -> id))
              .orElseThrow();
      copies.merge(leaving, -1, Integer::sum);
      next.set(
          p,
          new PartitionAssignment(
              assignment.primary(),
              assignment.leaderEpoch(),
              without(assignment.replicas(), leaving),
              without(assignment.inSync(), leaving)));
    }
    return changed(current, next);
  }

  private static Map<String, Integer> copyCounts(PartitionTable table, Set<String> live) {
    Map<String, Integer> counts = new HashMap<>();
    live.forEach(id -> counts.put(id, 0));
    table
        .partitions()
        .forEach(a -> a.copies().forEach(id -> counts.computeIfPresent(id, (k, n) -> n + 1)));
    return counts;
  }

  /**
   * The table with primaries moved so that primaries per live member differ by at most one, as far
   * as in-sync replicas allow, with as few moves as it finds: each step hands one primary's worth
   * of load from a busier member to a less busy one along the shortest chain of moves, each move to
   * an in-sync replica (Kafka's preferred-leader election). A moved partition's old primary stays
   * as an in-sync replica.
   */
  public static PartitionTable rebalance(PartitionTable current, Set<String> live) {
    String[] owners = new String[current.partitionCount()];
    for (int p = 0; p < owners.length; p++) {
      owners[p] = current.primaryOf(p);
    }
    Map<String, Integer> load = primaryCounts(current, live);
    for (List<Move> chain = shortestEasingChain(current, live, owners, load);
        !chain.isEmpty();
        chain = shortestEasingChain(current, live, owners, load)) {
      load.merge(chain.get(0).from(), -1, Integer::sum);
      load.merge(chain.get(chain.size() - 1).to(), 1, Integer::sum);
      chain.forEach(move -> owners[move.partition()] = move.to());
    }
    long epoch = current.epoch() + 1;
    List<PartitionAssignment> next = new ArrayList<>(owners.length);
    for (int p = 0; p < owners.length; p++) {
      PartitionAssignment assignment = current.assignment(p);
      String old = assignment.primary();
      String primary = owners[p];
      if (primary == null || primary.equals(old)) {
        next.add(assignment);
      } else {
        List<String> replicas =
            assignment.replicas().stream().map(id -> id.equals(primary) ? old : id).toList();
        next.add(new PartitionAssignment(primary, epoch, replicas, assignment.inSync()));
      }
    }
    return changed(current, next);
  }

  /** One primary handed over: {@code partition} goes from member {@code from} to {@code to}. */
  private record Move(int partition, String from, String to) {}

  /**
   * The shortest chain of moves from a member to one carrying at least two primaries fewer (the
   * biggest gap among equally short chains; then member ids, for determinism), or empty if there is
   * none. Each chain lowers the sum of squared loads, so repeating it ends.
   */
  private static List<Move> shortestEasingChain(
      PartitionTable table, Set<String> live, String[] owners, Map<String, Integer> load) {
    List<Move> best = List.of();
    int bestGap = 0;
    for (String source : new TreeSet<>(load.keySet())) {
      Map<String, Move> reachedBy = new HashMap<>();
      Queue<String> queue = new ArrayDeque<>(List.of(source));
      Set<String> seen = new LinkedHashSet<>(List.of(source));
      while (!queue.isEmpty()) {
        String from = queue.remove();
        for (int p = 0; p < owners.length; p++) {
          if (!from.equals(owners[p])) {
            continue;
          }
          for (String to : table.assignment(p).inSync()) {
            if (live.contains(to) && seen.add(to)) {
              reachedBy.put(to, new Move(p, from, to));
              queue.add(to);
            }
          }
        }
      }
      for (String target : seen) {
        int gap = load.get(source) - load.get(target);
        if (gap < 2) {
          continue;
        }
        List<Move> chain = chainTo(target, source, reachedBy);
        if (best.isEmpty()
            || chain.size() < best.size()
            || (chain.size() == best.size() && gap > bestGap)) {
          best = chain;
          bestGap = gap;
        }
      }
    }
    return best;
  }

  private static List<Move> chainTo(String target, String source, Map<String, Move> reachedBy) {
    List<Move> chain = new ArrayList<>();
    for (String at = target; !at.equals(source); at = reachedBy.get(at).from()) {
      chain.add(0, reachedBy.get(at));
    }
    return chain;
  }

  /**
   * The first table after every member stopped at once, from what the members that are back
   * persisted. With no table anywhere the cluster is new and gets {@link #initial}. Otherwise the
   * newest persisted table decides, and every member it names must be back: one that is missing may
   * hold writes no one else has. Then each partition's primary is the in-sync member of that table
   * that applied the most (highest {@link PartitionPosition}; ties: the old primary), its in-sync
   * set those that applied as much, and every partition starts a new leader epoch equal to the new
   * table's epoch, above every epoch any copy has seen. The persisted table keeps its replication
   * ({@code replication} shapes only a new cluster's table); a persisted table with another number
   * of partitions than {@code partitions} is refused with an {@link IllegalStateException}.
   */
  public static RestartDecision firstAfterRestart(
      int partitions, int replication, List<MemberRecovery> present) {
    PartitionTable newest =
        present.stream()
            .map(MemberRecovery::lastTable)
            .filter(table -> table != null)
            .max(Comparator.comparingLong(PartitionTable::epoch))
            .orElse(null);
    List<String> ids = present.stream().map(MemberRecovery::nodeId).toList();
    if (newest == null) {
      return new RestartDecision.Ready(initial(partitions, replication, ids));
    }
    if (newest.partitionCount() != partitions) {
      throw new IllegalStateException(
          "the persisted table has "
              + newest.partitionCount()
              + " partitions, the configuration "
              + partitions);
    }
    Set<String> missing = new TreeSet<>(newest.members());
    ids.forEach(missing::remove);
    if (!missing.isEmpty()) {
      return new RestartDecision.Waiting(missing);
    }
    Map<String, MemberRecovery> byId = new HashMap<>();
    present.forEach(member -> byId.put(member.nodeId(), member));
    long epoch = newest.epoch() + 1;
    List<PartitionAssignment> next = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      next.add(restarted(newest.assignment(p), p, byId, epoch));
    }
    return new RestartDecision.Ready(newest.successor(next));
  }

  private static PartitionAssignment restarted(
      PartitionAssignment old, int partition, Map<String, MemberRecovery> byId, long epoch) {
    Comparator<String> byPosition =
        Comparator.comparing((String id) -> byId.get(id).positionOf(partition))
            .thenComparing(id -> id.equals(old.primary()))
            .thenComparing(Comparator.comparingInt(old.inSync()::indexOf).reversed());
    String primary = old.inSync().stream().max(byPosition).orElse(null);
    if (primary == null) {
      return new PartitionAssignment(null, epoch, old.copies(), List.of());
    }
    PartitionPosition newest = byId.get(primary).positionOf(partition);
    List<String> inSync =
        old.inSync().stream()
            .filter(id -> byId.get(id).positionOf(partition).equals(newest))
            .sorted(Comparator.comparing((String id) -> !id.equals(primary)))
            .toList();
    return new PartitionAssignment(primary, epoch, without(old.copies(), primary), inSync);
  }

  /** Primaries per live member, every live member present (with 0 if it has none). */
  private static Map<String, Integer> primaryCounts(PartitionTable table, Set<String> live) {
    Map<String, Integer> counts = new HashMap<>();
    live.forEach(id -> counts.put(id, 0));
    table.partitions().forEach(a -> counts.computeIfPresent(a.primary(), (id, n) -> n + 1));
    return counts;
  }

  private static List<String> without(List<String> ids, String id) {
    return ids.stream().filter(other -> !other.equals(id)).toList();
  }

  private static PartitionTable replaced(
      PartitionTable table, int partition, PartitionAssignment assignment) {
    List<PartitionAssignment> next = new ArrayList<>(table.partitions());
    next.set(partition, assignment);
    return table.successor(next);
  }

  /** The successor with {@code next} as its partitions, or {@code current} if they are the same. */
  private static PartitionTable changed(PartitionTable current, List<PartitionAssignment> next) {
    return next.equals(current.partitions()) ? current : current.successor(next);
  }
}
