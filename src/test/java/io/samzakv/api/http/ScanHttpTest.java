package io.samzakv.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.samzakv.kv.Key;
import io.samzakv.routing.Partitioner;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GET /v1/kv}: ranges, prefixes, limits and paging across every partition. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScanHttpTest {
  private static final Comparator<String> UTF8_ORDER =
      (a, b) ->
          Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

  /** 200 keys under {@code s/}, with non-ASCII ones whose UTF-16 order differs from UTF-8's. */
  private static final List<String> KEYS = new ArrayList<>();

  @RegisterExtension static final HttpNode node = new HttpNode(Map.of("KV_FSYNC", "never"));

  @BeforeAll
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  static void writeKeys() {
    for (int i = 0; i < 194; i++) {
      KEYS.add(String.format("s/k%03d", i));
    }
    KEYS.addAll(List.of("s/\uFF21", "s/\uD83D\uDE00", "s/é", "s/Z", "s/a+b", "s/a b"));
    for (String key : KEYS) {
      assertThat(node.http().put(key, value(key)).statusCode()).isEqualTo(201);
    }
    KEYS.sort(UTF8_ORDER);
    // Keys outside s/ on either side, so ranges and prefixes have something to leave out.
    node.http().put("r/before", value("r/before"));
    node.http().put("s0/after", value("s0/after"));
  }

  private static byte[] value(String key) {
    return ("value of " + key).getBytes(StandardCharsets.UTF_8);
  }

  private static JsonObject scan(String query) {
    HttpResponse<byte[]> response = node.http().get("/v1/kv?" + query, new String[0]);
    assertThat(response.statusCode()).as(KvHttp.text(response)).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return KvHttp.json(response);
  }

  private static List<String> keysOf(JsonObject page) {
    JsonArray items = page.getJsonArray("items");
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      keys.add(items.getJsonObject(i).getString("key"));
    }
    return keys;
  }

  /**
   * Every key of the scan from {@code start}, following {@code next} as {@code start}; the size of
   * each page goes to {@code pageSizes}.
   */
  private static List<String> pageThrough(
      String query, String start, int limit, List<Integer> pageSizes) {
    List<String> seen = new ArrayList<>();
    do {
      JsonObject page =
          scan(query + "&limit=" + limit + (start == null ? "" : "&start=" + KvHttp.query(start)));
      List<String> keys = keysOf(page);
      pageSizes.add(keys.size());
      seen.addAll(keys);
      start = page.getString("next");
      if (start != null) {
        assertThat(keys).hasSize(limit);
      }
    } while (start != null);
    return seen;
  }

  private static void assertBadRequest(String query) {
    HttpResponse<byte[]> response = node.http().get("/v1/kv?" + query, new String[0]);
    assertThat(response.statusCode()).as(query).isEqualTo(400);
    assertThat(KvHttp.json(response).getString("error")).isNotBlank();
    assertThat(KvHttp.json(response).getString("message")).isNotBlank();
  }

  @Test
  void theWrittenKeysSpreadOverManyPartitions() {
    Partitioner partitioner = new Partitioner(64);
    Set<Integer> partitions = new HashSet<>();
    KEYS.forEach(key -> partitions.add(partitioner.partitionOf(Key.of(key))));

    assertThat(partitions).hasSizeGreaterThan(16);
  }

  @Test
  void startEndScanReturnsTheHalfOpenRangeInUtf8ByteOrderAcrossPartitions() {
    JsonObject page = scan("start=s%2F&end=s0");

    assertThat(keysOf(page)).containsExactlyElementsOf(KEYS);
    assertThat(page.getValue("next")).isNull();
    assertThat(page.containsKey("next")).isTrue();
  }

  @Test
  void startIsInclusiveAndEndIsExclusive() {
    JsonObject page = scan("start=s%2Fk010&end=s%2Fk020");

    assertThat(keysOf(page))
        .containsExactlyElementsOf(KEYS.subList(KEYS.indexOf("s/k010"), KEYS.indexOf("s/k020")));
    assertThat(keysOf(page)).startsWith("s/k010").doesNotContain("s/k020").hasSize(10);
  }

  @Test
  void nonAsciiKeysSortByTheirUtf8BytesNotByUtf16() {
    List<String> keys = keysOf(scan("start=s%2F%C3%A9&end=s0"));

    assertThat(keys).containsExactly("s/é", "s/\uFF21", "s/\uD83D\uDE00");
  }

  @Test
  void itemsCarryBase64ValuesAndVersions() {
    node.http().put("s2/versioned", "one".getBytes(StandardCharsets.UTF_8));
    node.http().put("s2/versioned", new byte[] {0, (byte) 0xFF, 10, 13});
    node.http().put("s2/empty", new byte[0]);

    JsonArray items = scan("prefix=s2%2F").getJsonArray("items");

    assertThat(items).hasSize(2);
    JsonObject empty = items.getJsonObject(0);
    JsonObject versioned = items.getJsonObject(1);
    assertThat(empty.getMap())
        .containsOnly(
            Map.entry("key", "s2/empty"), Map.entry("value", ""), Map.entry("version", 1));
    assertThat(versioned.getString("key")).isEqualTo("s2/versioned");
    assertThat(Base64.getDecoder().decode(versioned.getString("value")))
        .containsExactly(0, 0xFF, 10, 13);
    assertThat(versioned.getLong("version")).isEqualTo(2);
  }

  @Test
  void prefixScanReturnsExactlyTheKeysWithThatPrefix() {
    assertThat(keysOf(scan("prefix=s%2F"))).containsExactlyElementsOf(KEYS);
    assertThat(keysOf(scan("prefix=s%2Fk19")))
        .containsExactly("s/k190", "s/k191", "s/k192", "s/k193");
    assertThat(keysOf(scan("prefix=s%2Fa%2B"))).containsExactly("s/a+b");
    assertThat(keysOf(scan("prefix=s%2Fa+"))).containsExactly("s/a b");
    assertThat(keysOf(scan("prefix=nothing-here"))).isEmpty();
  }

  @Test
  void deletedKeysAreLeftOutOfScans() {
    node.http().put("s3/a", value("a"));
    node.http().put("s3/b", value("b"));
    node.http().put("s3/c", value("c"));
    node.http().delete("s3/b");

    assertThat(keysOf(scan("prefix=s3%2F"))).containsExactly("s3/a", "s3/c");
  }

  @Test
  void limitCutsThePageAndNextIsTheFirstKeyLeftOut() {
    JsonObject page = scan("prefix=s%2F&limit=7");

    assertThat(keysOf(page)).containsExactlyElementsOf(KEYS.subList(0, 7));
    assertThat(page.getString("next")).isEqualTo(KEYS.get(7));
  }

  @Test
  void pagingWithNextAsStartVisitsEveryKeyExactlyOnce() {
    List<Integer> pageSizes = new ArrayList<>();

    List<String> seen = pageThrough("end=s0", "s/", 13, pageSizes);

    assertThat(seen).containsExactlyElementsOf(KEYS);
    assertThat(pageSizes).hasSize(KEYS.size() / 13 + 1);
  }

  @Test
  void prefixPagingWithNextAsStartVisitsEveryKeyExactlyOnce() {
    List<Integer> pageSizes = new ArrayList<>();

    List<String> seen = pageThrough("prefix=s%2F", null, 17, pageSizes);

    assertThat(seen).containsExactlyElementsOf(KEYS);
    assertThat(pageSizes.size()).isGreaterThan(10);
  }

  @Test
  void startBeforeThePrefixDoesNotWidenIt() {
    assertThat(keysOf(scan("prefix=s%2Fk19&start=a")))
        .containsExactly("s/k190", "s/k191", "s/k192", "s/k193");
    assertThat(keysOf(scan("prefix=s%2Fk19&start=s%2Fk192"))).containsExactly("s/k192", "s/k193");
  }

  @Test
  void limitDefaultsTo1000AndGoesUpTo10000() {
    JsonArray ops = new JsonArray();
    for (int i = 0; i < 1001; i++) {
      if (ops.size() == 1000) {
        assertThat(
                node.http()
                    .post("/v1/batch", new JsonObject().put("ops", ops).encode())
                    .statusCode())
            .isEqualTo(200);
        ops = new JsonArray();
      }
      ops.add(
          new JsonObject()
              .put("op", "put")
              .put("key", String.format("big/%04d", i))
              .put("value", ""));
    }
    node.http().post("/v1/batch", new JsonObject().put("ops", ops).encode());

    JsonObject byDefault = scan("prefix=big%2F");
    JsonObject max = scan("prefix=big%2F&limit=10000");

    assertThat(byDefault.getJsonArray("items")).hasSize(1000);
    assertThat(byDefault.getString("next")).isEqualTo("big/1000");
    assertThat(max.getJsonArray("items")).hasSize(1001);
    assertThat(max.getValue("next")).isNull();
  }

  @Test
  void emptyRangeIsAnEmptyPage() {
    JsonObject page = scan("start=s%2Fk050&end=s%2Fk050");

    assertThat(page.getJsonArray("items")).isEmpty();
    assertThat(page.getValue("next")).isNull();
    assertThat(scan("start=z&end=a").getJsonArray("items")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "limit=0",
        "limit=-1",
        "limit=10001",
        "limit=abc",
        "limit=",
        "limit=1.5",
        "limit=99999999999999999999",
        "limit=5&limit=6",
        "prefix=s&prefix=t",
        "start=a&start=b",
        "prefix=s&end=t",
        "start=%FF",
        "prefix=%C0%AF"
      })
  void malformedScanParametersAre400(String query) {
    assertBadRequest(query);
  }

  @ParameterizedTest
  @ValueSource(strings = {"prefix=%G1", "end=%", "start=a%2", "limit=1%"})
  void malformedPercentEncodingInTheQueryIs400Json(String query) {
    RawHttp.Response response =
        RawHttp.exchange(
            node.httpPort(),
            "GET /v1/kv?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close",
            null);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().getString("error")).isNotBlank();
    assertThat(response.json().getString("message")).isNotBlank();
  }

  @Test
  void startKeyLongerThan511BytesIs400() {
    assertBadRequest("start=" + "x".repeat(512));
  }
}
