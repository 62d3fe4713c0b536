package io.samzakv.api.bus;

import io.samzakv.cluster.PartitionTable;
import io.samzakv.cluster.PartitionTables;
import io.samzakv.kv.KvException;
import io.samzakv.routing.ForwardProtocol;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;

/**
 * Tells event-bus clients the partition table, so that a {@link KvClient} sends each request
 * straight to its partition's primary: every node answers {@value BusAddresses#TABLE_GET} with the
 * table it knows ({@link PartitionTable#toJson}), and publishes every newer table it adopts on
 * {@value BusAddresses#TABLE}. Every node publishing means a client may get one change several
 * times; it keeps the newest epoch.
 *
 * <p>Thread contract: the table listener runs on whichever thread adopts a table; publishing is
 * safe from any thread.
 */
public final class TableBusVerticle extends VerticleBase {
  private final PartitionTables tables;
  private volatile boolean publishing;

  public TableBusVerticle(PartitionTables tables) {
    this.tables = tables;
    tables.onChange(this::publish);
  }

  @Override
  public Future<?> start() {
    publishing = true;
    return vertx.eventBus().consumer(BusAddresses.TABLE_GET, this::answer).completion();
  }

  @Override
  public Future<?> stop() {
    publishing = false;
    return Future.succeededFuture();
  }

  private void answer(Message<Object> message) {
    PartitionTable table = tables.current();
    if (table == null) {
      ForwardProtocol.fail(message, KvException.unavailable("no partition table yet"));
    } else {
      message.reply(table.toJson());
    }
  }

  private void publish(PartitionTable table) {
    if (publishing) {
      vertx.eventBus().publish(BusAddresses.TABLE, table.toJson());
    }
  }
}
