package io.samzakv.loadtest;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyLength;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.md5;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP protocol, the assertions and one scenario per workload. Every simulation builds its load
 * from here, so SmokeSimulation runs exactly what the single simulations run.
 *
 * <p>Each scenario's virtual users loop for {@code duration}; an iteration that has started always
 * finishes (so a CAS increment is never cut off between its write and its bookkeeping).
 */
final class Scenarios {

  private final LoadConfig config;
  private final KeySpace keySpace;
  private final Preload preload;
  private final CasLedger casLedger;

  /** Names this run's fresh batch keys apart from any a crashed earlier run left behind. */
  private final long runId = System.currentTimeMillis();

  private final AtomicLong freshKeys = new AtomicLong();

  Scenarios(LoadConfig config) {
    this.config = config;
    this.keySpace = new KeySpace(config);
    this.preload = new Preload(config, keySpace);
    this.casLedger = new CasLedger(config);
  }

  /** For a simulation's {@code before()}. */
  Preload preload() {
    return preload;
  }

  /** For the {@code before()} and {@code after()} of a simulation that runs {@link #cas}. */
  CasLedger casLedger() {
    return casLedger;
  }

  HttpProtocolBuilder protocol() {
    return http.baseUrls(config.baseUrls())
        // Gatling's warm-up request goes to an outside web site.
        .disableWarmUp()
        // An ETag is a version here, not a cache validator: every GET must reach the node.
        .disableCaching();
  }

  /** Fail the run on any failed request beyond the allowance, or on a slow 99th percentile. */
  Assertion[] assertions() {
    return new Assertion[] {
      global().failedRequests().percent().lte(config.maxFailedPercent()),
      global().responseTime().percentile(99.0).lt(config.p99Ms())
    };
  }

  /** {@code users} virtual users of the scenario, all started at once. */
  PopulationBuilder users(ScenarioBuilder scenario) {
    return scenario.injectOpen(atOnceUsers(config.users()));
  }

  /** 95% GET, 5% PUT of uniformly random preloaded keys. */
  ScenarioBuilder readHeavy() {
    return scenario("read-heavy")
        .during(config.duration(), false)
        .on(
            feed(keySpace.keyFeeder()),
            randomSwitch().on(percent(95.0).then(exec(get())), percent(5.0).then(exec(put()))));
  }

  /** PUT only, of uniformly random preloaded keys. */
  ScenarioBuilder writeHeavy() {
    return scenario("write-heavy")
        .during(config.duration(), false)
        .on(feed(keySpace.keyFeeder()), exec(put()));
  }

  /**
   * From a random preloaded key, up to {@code scanPages} pages of {@code scanLimit} through the
   * {@code key-} prefix, each page asked for with the previous page's {@code next}. A page's keys
   * must carry the prefix and ascend from the {@code start} asked for.
   */
  ScenarioBuilder scan() {
    return scenario("scan")
        .during(config.duration(), false)
        .on(
            feed(keySpace.keyFeeder()),
            exec(session -> session.set("cursor", session.getString("key")).set("pages", 0)),
            asLongAs(
                    session ->
                        !session.getString("cursor").isEmpty()
                            && session.getInt("pages") < config.scanPages())
                .on(
                    exec(http("scan page")
                            .get("/v1/kv")
                            .queryParam("prefix", KeySpace.KEY_PREFIX)
                            .queryParam("start", "#{cursor}")
                            .queryParam("limit", config.scanLimit())
                            .check(
                                status().is(200),
                                jsonPath("$.items[*].key")
                                    .findAll()
                                    .validate("in key order from start", Scenarios::inOrderFrom),
                                jmesPath("next || ''").saveAs("cursor")))
                        .exec(session -> session.set("pages", session.getInt("pages") + 1))));
  }

  /**
   * Increments one of {@code hotKeys} counters by read-modify-write with {@code If-Match}. A 412 is
   * an expected conflict: the user re-reads and retries, up to {@code casRetries} times. Requests
   * are named so conflicts and retries show in the report; the {@link CasLedger} counts outcomes.
   */
  ScenarioBuilder cas() {
    return scenario("cas")
        .during(config.duration(), false)
        .on(
            feed(keySpace.counterFeeder()),
            group("cas increment")
                .on(
                    exec(session -> session.set("casAttempt", 0)),
                    casRead("cas read"),
                    asLongAs(session -> !session.getBoolean("casDone"))
                        .on(
                            exec(session -> session.remove("casStatus")),
                            exec(
                                http(session ->
                                        session.getInt("casAttempt") == 0
                                            ? "cas write"
                                            : "cas retry")
                                    .put("/v1/kv/#{counterKey}")
                                    .header("If-Match", "#{etag}")
                                    .body(ByteArrayBody(Scenarios::incremented))
                                    .check(status().in(200, 412).saveAs("casStatus"))),
                            exec(this::afterCasWrite),
                            doIf(session -> !session.getBoolean("casDone"))
                                .then(casRead("cas reread after conflict")))));
  }

  /** 64 KiB PUT and GET of random {@code large-N} keys; the GET checks length and MD5. */
  ScenarioBuilder largeValue() {
    return scenario("large-value")
        .during(config.duration(), false)
        .on(
            feed(keySpace.largeFeeder()),
            exec(
                http("large put")
                    .put("/v1/kv/#{largeKey}")
                    .body(ByteArrayBody(session -> keySpace.largeValue(session.getInt("large"))))
                    .check(status().in(200, 201))),
            feed(keySpace.largeFeeder()),
            exec(
                http("large get")
                    .get("/v1/kv/#{largeKey}")
                    .check(
                        status().is(200),
                        bodyLength().is(config.largeValueBytes()),
                        md5().is(session -> keySpace.largeMd5(session.getInt("large"))))));
  }

  /**
   * {@code POST /v1/batch} of {@code batchOps} ops: 60% get and 20% put of preloaded keys, 10% put
   * of a fresh key and 10% delete of it again; every result's status must be the expected one.
   */
  ScenarioBuilder batch() {
    return scenario("batch")
        .during(config.duration(), false)
        .on(
            exec(this::prepareBatch),
            exec(
                http("batch")
                    .post("/v1/batch")
                    .header("Content-Type", "application/json")
                    .body(StringBody(session -> session.getString("batchBody")))
                    .check(
                        status().is(200),
                        jsonPath("$.results[*].status")
                            .ofInt()
                            .findAll()
                            .is(session -> session.getList("batchExpected")))));
  }

  private HttpRequestActionBuilder get() {
    return http("get")
        .get("/v1/kv/#{key}")
        .check(status().is(200), bodyLength().is(config.valueBytes()));
  }

  private HttpRequestActionBuilder put() {
    return http("put")
        .put("/v1/kv/#{key}")
        .body(ByteArrayBody(keySpace.value()))
        .check(status().in(200, 201));
  }

  /** The first key at or after the page's start, each next one after it (ASCII: byte order). */
  private static List<String> inOrderFrom(List<String> keys, Session session) {
    String start = session.getString("cursor");
    String previous = null;
    for (String key : keys) {
      if (!key.startsWith(KeySpace.KEY_PREFIX)) {
        throw new IllegalStateException(key + " lacks the prefix " + KeySpace.KEY_PREFIX);
      }
      if (previous == null ? key.compareTo(start) < 0 : key.compareTo(previous) <= 0) {
        throw new IllegalStateException(
            key + (previous == null ? " before the start " + start : " after " + previous));
      }
      previous = key;
    }
    return keys;
  }

  /** Reads the counter into {@code value} and {@code etag}; ends the increment if that fails. */
  private static ChainBuilder casRead(String name) {
    return exec(session -> session.removeAll("value", "etag"))
        .exec(
            http(name)
                .get("/v1/kv/#{counterKey}")
                .check(
                    status().is(200), bodyString().saveAs("value"), header("ETag").saveAs("etag")))
        .exec(
            session ->
                session.set("casDone", !(session.contains("value") && session.contains("etag"))));
  }

  private static byte[] incremented(Session session) {
    long value = Long.parseLong(session.getString("value"));
    return Long.toString(value + 1).getBytes(StandardCharsets.US_ASCII);
  }

  private Session afterCasWrite(Session session) {
    int counter = session.getInt("counter");
    if (!session.contains("casStatus")) {
      casLedger.unknown(counter);
      return session.set("casDone", true);
    }
    if (session.getInt("casStatus") == 200) {
      casLedger.committed(counter);
      return session.set("casDone", true);
    }
    casLedger.conflict();
    int attempt = session.getInt("casAttempt") + 1;
    if (attempt > config.casRetries()) {
      casLedger.gaveUp();
      return session.set("casDone", true);
    }
    return session.set("casAttempt", attempt);
  }

  private Session prepareBatch(Session session) {
    int ops = config.batchOps();
    StringBuilder body = new StringBuilder(ops * (keySpace.valueBase64().length() + 48));
    List<Integer> expected = new ArrayList<>(ops);
    String fresh = null;
    body.append("{\"ops\":[");
    for (int i = 0; i < ops; i++) {
      if (i > 0) {
        body.append(',');
      }
      int slot = i % 10;
      if (slot == 9 && fresh != null) {
        op(body, "delete", fresh, false);
        expected.add(200);
        fresh = null;
      } else if (slot == 8 && i + 1 < ops) {
        fresh = "batch-" + runId + "-" + freshKeys.incrementAndGet();
        op(body, "put", fresh, true);
        expected.add(201);
      } else if (slot >= 6) {
        op(body, "put", KeySpace.key(keySpace.randomKey()), true);
        expected.add(200);
      } else {
        op(body, "get", KeySpace.key(keySpace.randomKey()), false);
        expected.add(200);
      }
    }
    body.append("]}");
    return session.set("batchBody", body.toString()).set("batchExpected", expected);
  }

  private void op(StringBuilder body, String op, String key, boolean withValue) {
    body.append("{\"op\":\"").append(op).append("\",\"key\":\"").append(key).append('"');
    if (withValue) {
      body.append(",\"value\":\"").append(keySpace.valueBase64()).append('"');
    }
    body.append('}');
  }
}
