package io.samzakv.api.http;

import io.samzakv.kv.PartitionCheck;
import io.samzakv.kv.ScrubService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** {@code POST /v1/admin/scrub}: an operator's on-demand check of the stored data. */
final class AdminHandlers {
  private final ScrubService scrub;

  AdminHandlers(ScrubService scrub) {
    this.scrub = scrub;
  }

  /**
   * Scrubs every partition and answers 200 with each one's result; {@code "status"} is {@code
   * "corrupt"} when any partition is damaged (which the {@code CORRUPT} alarm then names too).
   */
  void handleScrub(RoutingContext ctx) {
    scrub
        .scrub()
        .onSuccess(checks -> Responses.json(ctx.response(), 200, report(checks)))
        .onFailure(error -> Responses.failure(ctx.request(), error));
  }

  private static JsonObject report(List<PartitionCheck> checks) {
    JsonArray partitions = new JsonArray();
    JsonArray corrupt = new JsonArray();
    for (PartitionCheck check : checks) {
      partitions.add(
          new JsonObject()
              .put("partition", check.partition())
              .put("intact", check.intact())
              .put("entries", check.entries())
              .put("detail", check.detail()));
      if (!check.intact()) {
        corrupt.add(check.partition());
      }
    }
    return new JsonObject()
        .put("status", corrupt.isEmpty() ? "clean" : "corrupt")
        .put("corrupt_partitions", corrupt)
        .put("partitions", partitions);
  }
}
