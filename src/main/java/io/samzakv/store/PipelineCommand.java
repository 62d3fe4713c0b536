package io.samzakv.store;

import java.util.concurrent.CompletableFuture;

/** What the write pipeline sequences: a client's write, or records shipped by a primary. */
sealed interface PipelineCommand permits WriteCommand, RecordsCommand {
  CompletableFuture<?> result();

  /** The key and value bytes it carries, which bound a batch. */
  long bytes();
}
