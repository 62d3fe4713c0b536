package io.samzakv.store;

import io.samzakv.disk.NoSpaceException;
import io.samzakv.kv.Alarms;
import io.samzakv.kv.Alarms.Alarm;
import io.samzakv.kv.KvException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the sequencer and the applier share about the write path's health: whether it failed for
 * good, and whether a logged batch is waiting for disk space.
 *
 * <p>Only a failure that may leave the op log and the engine out of step (a failed write into the
 * log or fsync, an engine write that failed after its records were logged) stops all writes until a
 * restart replays the log: {@link Alarm#WRITE_PATH_FAILED}, every later write 503. While a logged
 * batch waits for the engine to find room, new writes are refused with 507 at once ({@link
 * Alarm#NO_SPACE}).
 *
 * <p>Thread contract: safe for any thread.
 */
final class WritePathState {
  private static final System.Logger LOG = System.getLogger(WritePathState.class.getName());

  private final Alarms alarms;
  private final LongAdder rejectedNoSpace = new LongAdder();
  private volatile Throwable failure;
  private volatile boolean stalledForSpace;

  WritePathState(Alarms alarms) {
    this.alarms = alarms;
  }

  /** Why a command must be refused before it is queued, or null. */
  KvException refusalAtSubmit(boolean accepting) {
    if (failure != null) {
      return failedStore();
    }
    if (!accepting) {
      return KvException.unavailable("the node is stopping");
    }
    if (stalledForSpace) {
      rejectedNoSpace.increment();
      return noSpace("earlier writes are waiting for disk space");
    }
    return null;
  }

  /** Why a batch must be refused before any of it is logged, or null. */
  KvException refusalOfBatch() {
    if (failure != null) {
      return failedStore();
    }
    if (stalledForSpace) {
      return noSpace("earlier writes are waiting for disk space");
    }
    return null;
  }

  boolean failed() {
    return failure != null;
  }

  void stalled(boolean stalled) {
    stalledForSpace = stalled;
  }

  /** Refuses a whole batch, none of it logged, because the disk had no room for it. */
  void refuseForSpace(NoSpaceException e, List<? extends PipelineCommand> commands) {
    alarms.raise(Alarm.NO_SPACE, e.getMessage());
    rejectedNoSpace.add(commands.size());
    KvException refusal = noSpace(e.getMessage());
    commands.forEach(command -> command.result().completeExceptionally(refusal));
  }

  void raiseNoSpace(String why) {
    alarms.raise(Alarm.NO_SPACE, why);
  }

  /** Cleared before answering: whoever sees a write acknowledged must not see the alarm. */
  void spaceFound() {
    if (alarms.isRaised(Alarm.NO_SPACE)) {
      alarms.clear(Alarm.NO_SPACE);
    }
  }

  long rejectedNoSpace() {
    return rejectedNoSpace.sum();
  }

  /**
   * A failure that may have left the op log and the engine out of step; only a restart (which
   * replays the log) brings them back, so every later write is refused instead of guessing.
   */
  void failWritePath(Throwable error, List<? extends PipelineCommand> commands) {
    if (failure == null) {
      failure = error;
      LOG.log(Level.ERROR, "write path failed; refusing writes until restart", error);
      alarms.raise(Alarm.WRITE_PATH_FAILED, error.toString());
    }
    KvException refusal = failedStore();
    commands.forEach(command -> command.result().completeExceptionally(refusal));
  }

  /**
   * Stops the write path without an alarm: the node is stopping with a logged batch it could not
   * apply, and nothing may be applied after it before a restart replays it.
   */
  void stopBehind(String why) {
    if (failure == null) {
      failure = new IllegalStateException(why);
    }
  }

  KvException failedStore() {
    return KvException.unavailable("storage failed (" + failure + "); restart the node");
  }

  private static KvException noSpace(String why) {
    return KvException.noSpace(
        "no disk space for this write ("
            + why
            + "); reads still work, writes resume once space"
            + " is freed");
  }
}
