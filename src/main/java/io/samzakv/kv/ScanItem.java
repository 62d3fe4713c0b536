package io.samzakv.kv;

/** One entry of a scan page. */
public record ScanItem(String key, byte[] value, long version) {}
