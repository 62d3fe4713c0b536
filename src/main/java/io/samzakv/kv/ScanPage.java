package io.samzakv.kv;

import java.util.List;

/** Entries in key order and the key to pass back as {@code start} for the next page (or null). */
public record ScanPage(List<ScanItem> items, String next) {}
