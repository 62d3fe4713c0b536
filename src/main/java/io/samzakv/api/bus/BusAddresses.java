package io.samzakv.api.bus;

/** The event-bus addresses of the key-value API. */
public final class BusAddresses {
  public static final String PUT = "kv.put";
  public static final String GET = "kv.get";
  public static final String DELETE = "kv.delete";
  public static final String SCAN = "kv.scan";
  public static final String BATCH = "kv.batch";

  /** Every node answers the partition table it knows here ({@code PartitionTable.toJson}). */
  public static final String TABLE_GET = "kv.table.get";

  /** Every node publishes each newer partition table it adopts here. */
  public static final String TABLE = "kv.table";

  private BusAddresses() {}
}
