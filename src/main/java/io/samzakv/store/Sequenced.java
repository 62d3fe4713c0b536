package io.samzakv.store;

import io.samzakv.kv.KvException;
import io.samzakv.store.PendingVersions.Pending;
import java.util.List;

/**
 * A command after sequencing: rejected (nothing logged), or logged, with the version a client's
 * write gives its key and the pending versions its records left for the applier to forget.
 */
record Sequenced(
    PipelineCommand command,
    KvException rejection,
    long version,
    List<String> pendingKeys,
    List<Pending> pending) {

  static Sequenced rejected(PipelineCommand command, KvException rejection) {
    return new Sequenced(command, rejection, 0, List.of(), List.of());
  }
}
