package io.samzakv.store;

import io.vertx.core.Vertx;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link Vertx} shared by a test class's tests, created before the first and closed after the
 * last. Register it on a static field:
 *
 * <pre>{@code @RegisterExtension static final SharedVertx vertx = new SharedVertx();}</pre>
 */
final class SharedVertx implements BeforeAllCallback, AfterAllCallback {
  private Vertx vertx;

  @Override
  public void beforeAll(ExtensionContext context) {
    vertx = Vertx.vertx();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (vertx != null) {
      Vertx closing = vertx;
      vertx = null;
      closing.close().await();
    }
  }

  Vertx get() {
    return Objects.requireNonNull(vertx, "Vert.x is not running");
  }
}
