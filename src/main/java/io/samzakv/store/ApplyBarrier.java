package io.samzakv.store;

import java.util.concurrent.CompletableFuture;

/**
 * Not a write: completes once every command queued before it is applied (or found lost). It goes
 * through the sequencer's queue like a write, so it also waits for commands the sequencer has taken
 * but not handed on yet.
 */
record ApplyBarrier(CompletableFuture<Void> result) implements PipelineCommand {
  @Override
  public long bytes() {
    return 0;
  }
}
