package io.samzakv.api.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP server instance on its own event loop; the node deploys one per core and Vert.x spreads
 * connections over them. Stopping it stops accepting and lets in-flight requests finish.
 */
public final class HttpApiVerticle extends VerticleBase {
  /** Idle keep-alive connections are closed after this long, so idle clients cost nothing. */
  private static final int IDLE_TIMEOUT_SECONDS = 120;

  private static final long SHUTDOWN_GRACE_SECONDS = 30;

  private final ApiRouter.Services services;
  private final String host;
  private final int port;
  private HttpServer server;

  public HttpApiVerticle(ApiRouter.Services services, String host, int port) {
    this.services = services;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    server =
        vertx
            .createHttpServer(serverOptions())
            .requestHandler(ApiRouter.create(vertx, services))
            .invalidRequestHandler(InvalidRequests::answer);
    return server.listen(port, host);
  }

  /**
   * The HTTP server's options, also the bench's in-memory ceilings' so they are measured alike.
   * Idle keep-alive connections close; no WebSocket compression, as the API serves no WebSockets:
   * with it offered, Vert.x puts an extension handler in every connection's pipeline that inspects
   * every response written (about 5% of an event loop's CPU under PUT load).
   */
  public static HttpServerOptions serverOptions() {
    return new HttpServerOptions()
        .setIdleTimeout(IDLE_TIMEOUT_SECONDS)
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false);
  }

  @Override
  public Future<?> stop() {
    return server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  /** The bound port; with port 0 configured, the one the OS chose. */
  public int actualPort() {
    return server.actualPort();
  }
}
