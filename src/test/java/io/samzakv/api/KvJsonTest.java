package io.samzakv.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.kv.WriteResult;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KvJsonTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "plain",
        "users/42",
        "quote\"and\\backslash",
        "control\u0001\n\t\u007f",
        "unicode-\u00e9\u4e2d\ud83d\ude00",
        "</script>&'"
      })
  void thePreEncodedPutAnswerIsTheSameJsonAsTheObject(String key) {
    WriteResult result = new WriteResult(key, 9_007_199_254_740_993L);

    JsonObject decoded = new JsonObject(KvJson.writtenBody(result));

    assertThat(decoded).isEqualTo(KvJson.written(result));
    assertThat(decoded.getString("key")).isEqualTo(key);
  }
}
