package io.samzakv.kv;

/**
 * One partition's scrub result: whether its data matches its evidence and every value its checksum,
 * how many entries it holds, and what is wrong when it does not.
 */
public record PartitionCheck(int partition, boolean intact, long entries, String detail) {}
