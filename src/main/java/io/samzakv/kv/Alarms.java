package io.samzakv.kv;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Conditions that keep this node from serving fully, raised by the part that meets them (the write
 * path, the scrubber) and reported by {@code /health}, {@code /ready}, the log and {@code /metrics}
 * (etcd's alarms are the model: NOSPACE, CORRUPT). Each alarm is raised at most once at a time; a
 * repeated raise keeps its first detail and time, so a condition met on every request logs once.
 *
 * <p>Thread contract: safe for any thread; reads never block.
 */
public final class Alarms {
  private static final System.Logger LOG = System.getLogger(Alarms.class.getName());

  /** What can be wrong, and whether it takes the node down or only degrades it. */
  public enum Alarm {
    /** Writes need disk space the file system cannot give; reads still work. */
    NO_SPACE(false),
    /** The write path hit an error it cannot isolate; no write succeeds until a restart. */
    WRITE_PATH_FAILED(true),
    /** A partition's stored data disagrees with its own evidence; that partition answers 503. */
    CORRUPT(false);

    private final boolean down;

    Alarm(boolean down) {
      this.down = down;
    }

    /** True when the node cannot do its job at all while this is raised: not live, not ready. */
    public boolean down() {
      return down;
    }

    /** The name in JSON and metric labels: {@code no_space}, {@code write_path_failed}, ... */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A raised alarm: what, why and since when. */
  public record Raised(Alarm alarm, String detail, Instant since) {}

  private final Map<Alarm, Raised> raised = new ConcurrentHashMap<>();

  /** Raises {@code alarm} (logged at ERROR the first time) unless it is raised already. */
  public void raise(Alarm alarm, String detail) {
    Raised fresh = new Raised(alarm, detail, Instant.now());
    if (raised.putIfAbsent(alarm, fresh) == null) {
      LOG.log(Level.ERROR, "alarm {0} raised: {1}", alarm.label(), detail);
    }
  }

  /**
   * Raises {@code alarm} or, when it is raised already, replaces its detail (keeping the time it
   * was first raised): for a condition that grows, such as the list of damaged partitions. Logged
   * at ERROR each time the detail changes.
   */
  public void update(Alarm alarm, String detail) {
    Raised now =
        raised.compute(
            alarm,
            (key, was) -> new Raised(alarm, detail, was == null ? Instant.now() : was.since()));
    LOG.log(Level.ERROR, "alarm {0}: {1}", alarm.label(), now.detail());
  }

  /** Clears {@code alarm} (logged at INFO when it was raised). */
  public void clear(Alarm alarm) {
    Raised was = raised.remove(alarm);
    if (was != null) {
      LOG.log(
          Level.INFO,
          "alarm {0} cleared (raised at {1}: {2})",
          alarm.label(),
          was.since(),
          was.detail());
    }
  }

  public boolean isRaised(Alarm alarm) {
    return raised.containsKey(alarm);
  }

  /** True when no raised alarm takes the node down. */
  public boolean up() {
    return raised.keySet().stream().noneMatch(Alarm::down);
  }

  /** The raised alarms, in {@link Alarm} order. */
  public List<Raised> active() {
    return raised.values().stream().sorted(java.util.Comparator.comparing(Raised::alarm)).toList();
  }
}
