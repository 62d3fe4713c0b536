package io.samzakv.storage;

/** A key and its stored bytes, copied out of the engine. */
public record KeyValue(int partition, byte[] key, byte[] value) {}
