package io.samzakv.codec;

/** A value's bytes with the version the writer assigned to it. */
public record VersionedValue(long version, byte[] value) {}
