package io.samzakv.codec;

/**
 * What {@link ValueCodec#decode} found in stored bytes: the version the writer assigned and the
 * value. The store hands values on as {@code kv.VersionedValue}; this type stays inside the storage
 * side, so the API's type can change without touching the stored format's.
 */
public record DecodedValue(long version, byte[] value) {}
