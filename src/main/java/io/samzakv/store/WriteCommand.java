package io.samzakv.store;

import io.samzakv.kv.Key;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.WriteResult;
import java.util.concurrent.CompletableFuture;

/**
 * A put (value not null) or delete (value null) waiting for the write pipeline, with the future
 * that receives its outcome once it is durable. A delete's result carries version 0.
 */
record WriteCommand(
    int partition,
    Key key,
    byte[] value,
    Precondition precondition,
    CompletableFuture<WriteResult> result)
    implements PipelineCommand {

  boolean isDelete() {
    return value == null;
  }

  @Override
  public long bytes() {
    return key.utf8().length + (isDelete() ? 0 : value.length);
  }
}
