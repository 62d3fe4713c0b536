package io.samzakv.api.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.samzakv.kv.KvException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

/**
 * Request bodies that must be one JSON object, read strictly. A member given twice is a 400: Vert.x
 * alone keeps the last one silently, so {@code {"key":"a","key":"b"}} would act on a key the client
 * may not have meant, where etcd's and Consul's decoders refuse.
 */
final class JsonBodies {
  private JsonBodies() {}

  static JsonObject object(Buffer body) {
    if (body == null || body.length() == 0) {
      throw notAnObject();
    }
    JsonParser parser = JacksonCodec.createParser(body);
    parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    Object parsed;
    try {
      parsed = JacksonCodec.fromParser(parser, Object.class);
    } catch (DecodeException e) {
      throw e.getCause() instanceof JsonProcessingException cause
          ? KvException.badRequest(
              "invalid_json", "body is not valid JSON: " + cause.getOriginalMessage())
          : notAnObject();
    }
    if (!(parsed instanceof JsonObject object)) {
      throw notAnObject();
    }
    return object;
  }

  private static KvException notAnObject() {
    return KvException.badRequest("invalid_json", "body is not a JSON object");
  }
}
