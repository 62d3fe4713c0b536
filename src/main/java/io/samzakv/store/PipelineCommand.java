package io.samzakv.store;

import java.util.concurrent.CompletableFuture;

/**
 * What the write pipeline sequences: a client's write, records shipped by a primary, or a barrier
 * that waits for everything queued before it.
 */
sealed interface PipelineCommand permits WriteCommand, RecordsCommand, ApplyBarrier {
  CompletableFuture<?> result();

  /** The key and value bytes it carries, which bound a batch. */
  long bytes();
}
