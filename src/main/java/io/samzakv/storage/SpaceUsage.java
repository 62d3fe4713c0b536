package io.samzakv.storage;

/**
 * The room an engine has set aside for its data and how much of it holds pages, in bytes. For LMDB:
 * the map size, and the pages up to its high-water mark (free pages below it are reused before the
 * file grows, so this is what the data needs at most).
 */
public record SpaceUsage(long reservedBytes, long usedBytes) {}
