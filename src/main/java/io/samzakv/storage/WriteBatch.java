package io.samzakv.storage;

import java.util.List;

/** Mutations applied atomically, together with the op-log position they bring the store up to. */
public record WriteBatch(List<Mutation> mutations, long appliedThrough) {}
