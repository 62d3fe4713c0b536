package io.samzakv.store;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.samzakv.storage.StorageEngine;

/**
 * The store's gauges on {@code /metrics}: the write queue, the engine's space, the op log on disk
 * and how far the last checkpoint trails it. A scrape runs on an event loop, so every one reads a
 * value already in memory: counters, volatile snapshots the writer and the checkpointer refresh.
 */
final class StoreMeters {
  private StoreMeters() {}

  static void register(
      MeterRegistry registry,
      WritePipeline pipeline,
      StorageEngine storage,
      Checkpointer checkpointer) {
    Gauge.builder("kv.write.queue.depth", pipeline, WritePipeline::queueDepth)
        .description(
            "Writes waiting for the sequencer (the queue holds "
                + WritePipeline.QUEUE_CAPACITY
                + ")")
        .register(registry);
    FunctionCounter.builder("kv.write.queue.rejections", pipeline, WritePipeline::rejectedQueueFull)
        .description("Writes refused with 503 because the write queue was full")
        .register(registry);
    FunctionCounter.builder("kv.write.nospace.rejections", pipeline, WritePipeline::rejectedNoSpace)
        .description("Writes refused with 507 because the disk had no room for them")
        .register(registry);
    Gauge.builder("kv.lmdb.map", storage, engine -> engine.space().reservedBytes())
        .description("LMDB map size: the most the data file can grow to before the map is resized")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("kv.lmdb.used", storage, engine -> engine.space().usedBytes())
        .description("LMDB pages up to the high-water mark of the map, free pages among them")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("kv.oplog", checkpointer, c -> c.footprint().bytes())
        .description("Length of the op-log segment files, refreshed at each checkpoint")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("kv.oplog.segments", checkpointer, c -> c.footprint().segments())
        .description("Op-log segment files on disk, refreshed at each checkpoint")
        .register(registry);
    Gauge.builder("kv.checkpoint.lag", checkpointer, Checkpointer::lag)
        .description("Op-log records appended since the last checkpoint (LMDB forced to disk)")
        .baseUnit("records")
        .register(registry);
  }
}
