package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samzakv.kv.KvException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Request bodies are one JSON object, each member named once per object. */
class JsonBodiesTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"a\":1,\"a\":2}                           | a",
        "{\"a\":{\"b\":1,\"b\":1}}                     | b",
        "{\"ops\":[{\"key\":\"x\",\"key\":\"x\"}]}       | key",
      })
  void aMemberGivenTwiceAtAnyDepthIsRefusedNamingIt(String body, String member) {
    assertThatThrownBy(() -> JsonBodies.object(Buffer.buffer(body)))
        .isInstanceOfSatisfying(
            KvException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo("invalid_json");
              assertThat(e.getMessage()).containsIgnoringCase("duplicate").contains(member);
            });
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "[]", "1", "\"s\"", "null", "{", "{} {}", "{\"a\":1} x", "{'a':1}"})
  void anythingButOneJsonObjectIsRefused(String body) {
    assertThatThrownBy(() -> JsonBodies.object(Buffer.buffer(body)))
        .isInstanceOfSatisfying(
            KvException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo("invalid_json");
            });
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", " {\"a\":[1,{\"a\":2}],\"b\":{\"a\":3}} ", "{\"x\":null}"})
  void oneObjectWithDistinctMembersPerObjectIsRead(String body) {
    assertThat(JsonBodies.object(Buffer.buffer(body))).isEqualTo(new JsonObject(body));
  }
}
