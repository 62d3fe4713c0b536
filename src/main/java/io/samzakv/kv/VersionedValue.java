package io.samzakv.kv;

/** A key's value with its version, as {@link KvService#get} answers it. */
public record VersionedValue(long version, byte[] value) {}
