package io.samzakv.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.store.LocalStore;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The value limit agrees with what the op log can hold: a limit it could not hold is refused at
 * start, naming the setting, and the largest one it can hold takes a value of that size, after
 * which the node goes on writing (it once answered 503 to every later write).
 */
class ValueLimitIT {
  @TempDir Path dir;

  @RegisterExtension final NodeProcesses nodes = new NodeProcesses();
  private final HttpClient client = WriteLoad.newClient();

  private Map<String, String> env(long maxValueBytes) {
    Map<String, String> env = KvProcess.env(dir.resolve("data"));
    env.put("KV_MAX_VALUE_BYTES", Long.toString(maxValueBytes));
    env.put("KV_COMPRESSION", "none");
    return env;
  }

  @Test
  void aLimitTheOpLogCannotHoldIsRefusedAtStartNamingTheSetting() {
    KvProcess node = nodes.start(dir, env(64L << 20));

    assertThat(node.awaitExit(Duration.ofSeconds(60))).as(node.describe()).isEqualTo(2);
    assertThat(node.stderrLines())
        .as(node.describe())
        .singleElement()
        .asString()
        .contains("KV_MAX_VALUE_BYTES")
        .contains(Integer.toString(LocalStore.LARGEST_VALUE_BYTES));
  }

  @Test
  void theLargestValueTheLimitAllowsIsStoredAndTheNextWriteSucceeds() throws Exception {
    KvProcess node = nodes.start(dir, env(LocalStore.LARGEST_VALUE_BYTES)).awaitReady();
    byte[] largest = new byte[LocalStore.LARGEST_VALUE_BYTES];
    largest[largest.length - 1] = 7;

    HttpResponse<String> big = put(node, "x".repeat(511), largest);
    HttpResponse<String> next = put(node, "next", new byte[] {1});

    assertThat(big.statusCode()).as(big.body()).isEqualTo(201);
    assertThat(next.statusCode()).as(next.body()).isEqualTo(201);
    HttpResponse<byte[]> read =
        client.send(
            HttpRequest.newBuilder(node.uri("/v1/kv/" + "x".repeat(511))).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(read.body()).isEqualTo(largest);
  }

  private HttpResponse<String> put(KvProcess node, String key, byte[] value) throws Exception {
    return client.send(
        HttpRequest.newBuilder(node.uri("/v1/kv/" + key))
            .timeout(Duration.ofSeconds(60))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(value))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
