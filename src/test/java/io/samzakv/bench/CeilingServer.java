package io.samzakv.bench;

import io.samzakv.api.http.HttpApiVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The benchmark baseline: the least a Vert.x 5 node on this machine can do per request — answer
 * {@code GET/PUT /v1/kv/{key}} from a concurrent map, no durability, no parsing beyond the path.
 * Whatever samza-kv reaches is reported as a ratio to this, measured in the same run.
 *
 * <p>Mode {@code raw} is a bare request handler; mode {@code web} puts the same map behind
 * vert.x-web (a Router and a BodyHandler, as any real Vert.x HTTP API has), to tell the cost of the
 * web layer from the cost of the store.
 *
 * <p>{@code java -cp target/samza-kv.jar:target/test-classes io.samzakv.bench.CeilingServer PORT
 * PRELOAD_KEYS VALUE_BYTES [raw|web]}
 */
public final class CeilingServer extends VerticleBase {
  private static final String PREFIX = "/v1/kv/";
  private static final Map<String, Buffer> DATA = new ConcurrentHashMap<>();

  private final int port;
  private final boolean web;

  private CeilingServer(int port, boolean web) {
    this.port = port;
    this.web = web;
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int preload = Integer.parseInt(args[1]);
    Buffer value = Buffer.buffer(new byte[Integer.parseInt(args[2])]);
    boolean web = args.length > 3 && args[3].equals("web");
    for (int i = 0; i < preload; i++) {
      DATA.put("key-" + i, value);
    }
    Vertx vertx = Vertx.vertx();
    int cores = Runtime.getRuntime().availableProcessors();
    vertx
        .deployVerticle(
            () -> new CeilingServer(port, web), new DeploymentOptions().setInstances(cores))
        .onSuccess(id -> System.out.println("ceiling server ready on " + port))
        .onFailure(Throwable::printStackTrace);
  }

  @Override
  public Future<?> start() {
    Handler<HttpServerRequest> handler = web ? webRouter() : this::handle;
    return vertx
        .createHttpServer(HttpApiVerticle.serverOptions())
        .requestHandler(handler)
        .listen(port, "127.0.0.1");
  }

  private Router webRouter() {
    Router router = Router.router(vertx);
    router.get("/v1/kv/*").handler(ctx -> handle(ctx.request()));
    router
        .put("/v1/kv/*")
        .handler(BodyHandler.create(false).setBodyLimit(1 << 20))
        .handler(
            ctx -> {
              String key = ctx.request().path().substring(PREFIX.length());
              DATA.put(key, ctx.body().buffer());
              ctx.json(new JsonObject().put("key", key).put("version", 1));
            });
    return router;
  }

  private void handle(HttpServerRequest request) {
    String key = request.path().substring(PREFIX.length());
    if (request.method() == HttpMethod.PUT) {
      request
          .body()
          .onSuccess(
              body -> {
                DATA.put(key, body);
                request.response().setStatusCode(200).end("{\"key\":\"" + key + "\"}");
              });
    } else {
      Buffer value = DATA.get(key);
      if (value == null) {
        request.response().setStatusCode(404).end();
      } else {
        request.response().end(value);
      }
    }
  }
}
