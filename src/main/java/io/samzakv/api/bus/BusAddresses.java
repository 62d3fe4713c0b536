package io.samzakv.api.bus;

/** The event-bus addresses of the key-value API. */
public final class BusAddresses {
  public static final String PUT = "kv.put";
  public static final String GET = "kv.get";
  public static final String DELETE = "kv.delete";
  public static final String SCAN = "kv.scan";
  public static final String BATCH = "kv.batch";

  private BusAddresses() {}
}
