package io.samzakv.api;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.samzakv.kv.KvException;
import io.samzakv.kv.ScanItem;
import io.samzakv.kv.ScanPage;
import io.samzakv.kv.VersionedValue;
import io.samzakv.kv.WriteResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The JSON bodies both APIs answer with, so HTTP and the event bus stay identical. */
public final class KvJson {
  private static final System.Logger LOG = System.getLogger(KvJson.class.getName());

  private static final byte[] WRITTEN_KEY = "{\"key\":\"".getBytes(StandardCharsets.UTF_8);
  private static final byte[] WRITTEN_VERSION = "\",\"version\":".getBytes(StandardCharsets.UTF_8);

  /** How long a client should wait before retrying a 503 ({@code Retry-After}, in seconds). */
  public static final int RETRY_AFTER_SECONDS = 1;

  private KvJson() {}

  public static JsonObject written(WriteResult result) {
    return new JsonObject().put("key", result.key()).put("version", result.version());
  }

  /**
   * {@link #written}, already encoded. It answers every PUT, the hottest JSON a node writes; built
   * around Jackson's string escaper it costs a fraction of a JsonObject and a JSON generator.
   */
  public static Buffer writtenBody(WriteResult result) {
    byte[] key = JsonStringEncoder.getInstance().quoteAsUTF8(result.key());
    return Buffer.buffer(WRITTEN_KEY.length + key.length + WRITTEN_VERSION.length + 21)
        .appendBytes(WRITTEN_KEY)
        .appendBytes(key)
        .appendBytes(WRITTEN_VERSION)
        .appendString(Long.toString(result.version()))
        .appendByte((byte) '}');
  }

  public static JsonObject deleted(String key) {
    return new JsonObject().put("key", key).put("deleted", true);
  }

  public static JsonObject value(String key, VersionedValue value) {
    return new JsonObject()
        .put("key", key)
        .put("value", Base64.getEncoder().encodeToString(value.value()))
        .put("version", value.version());
  }

  public static JsonObject page(ScanPage page) {
    JsonArray items = new JsonArray();
    for (ScanItem item : page.items()) {
      items.add(
          new JsonObject()
              .put("key", item.key())
              .put("value", Base64.getEncoder().encodeToString(item.value()))
              .put("version", item.version()));
    }
    return new JsonObject().put("items", items).put("next", page.next());
  }

  public static JsonObject error(KvException error) {
    JsonObject json = error(error.code(), error.getMessage());
    if (error.currentVersion() != null) {
      json.put("current_version", error.currentVersion());
    }
    return json;
  }

  /** The error body every API answers with: {@code {"error":code,"message":text}}. */
  public static JsonObject error(String code, String message) {
    return new JsonObject().put("error", code).put("message", message);
  }

  /**
   * The failure as the client should see it: a {@link KvException} as it is, anything else (a bug
   * or an I/O fault, never the client's doing) as a logged 500.
   */
  public static KvException asKvException(Throwable failure) {
    if (failure instanceof KvException known) {
      return known;
    }
    LOG.log(System.Logger.Level.ERROR, "request failed unexpectedly", failure);
    return KvException.internal("internal error: " + failure.getClass().getSimpleName());
  }
}
