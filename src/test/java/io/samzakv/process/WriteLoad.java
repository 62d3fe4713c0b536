package io.samzakv.process;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Concurrent writers against one node that remember exactly what was acknowledged, so that after a
 * crash or a stop the store can be checked against it.
 *
 * <p>Each thread owns its keys (prefix {@code w<thread>-}), creates new ones and overwrites its own
 * with {@code If-Match}. A write that gets no 2xx has an unknown outcome: it may or may not have
 * been applied, so the key keeps that one attempt as "pending" and is never written again. After
 * recovery a key must therefore hold exactly its last acknowledged write or that pending attempt,
 * and nothing else.
 */
final class WriteLoad {
  static final String PREFIX = "w";

  /** What one key is known to hold. */
  static final class KeyState {
    volatile String ackedValue;
    volatile long ackedVersion;

    /** The attempt whose outcome is unknown, or null. */
    volatile String pendingValue;
  }

  /** A key's state as read back from the node. */
  record Stored(String value, long version) {}

  private final HttpClient client;
  private final Function<String, URI> uri;
  private final Map<String, KeyState> keys = new ConcurrentHashMap<>();
  private final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
  private final AtomicInteger acks = new AtomicInteger();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stopping;

  /** Rounds of writers started so far; each round names its keys apart from the rounds before. */
  private int rounds;

  private final int maxFiller;

  /**
   * {@code uri} turns a path into the node's URI; values carry up to {@code maxFiller} random
   * letters.
   */
  WriteLoad(HttpClient client, Function<String, URI> uri, int maxFiller) {
    this.client = client;
    this.uri = uri;
    this.maxFiller = maxFiller;
  }

  static HttpClient newClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /**
   * Starts a round of writers; after {@link #stop} another round may start (against a restarted
   * node), and every round's writes are checked together.
   */
  void start(int threadCount) {
    stopping = false;
    threads.clear();
    String round = rounds++ == 0 ? "" : rounds + "_";
    for (int i = 0; i < threadCount; i++) {
      String id = round + i;
      Thread thread = new Thread(() -> write(id), "writer-" + id);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  /** Stops the writers and waits for the requests they have in flight. */
  void stop() throws InterruptedException {
    stopping = true;
    for (Thread thread : threads) {
      thread.join(Duration.ofSeconds(30).toMillis());
    }
  }

  int acks() {
    return acks.get();
  }

  /** Failed writes by cause: HTTP status or exception class. */
  Map<String, Integer> failures() {
    Map<String, Integer> copy = new HashMap<>();
    failures.forEach((cause, count) -> copy.put(cause, count.get()));
    return copy;
  }

  /** Responses that no node should give to these requests, whatever happens to it. */
  List<String> unexpected() {
    synchronized (unexpected) {
      return List.copyOf(unexpected);
    }
  }

  private void write(String thread) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    List<String> mine = new ArrayList<>();
    int created = 0;
    int attempt = 0;
    while (!stopping) {
      String key;
      KeyState state;
      String ifMatch = null;
      if (!mine.isEmpty() && random.nextInt(3) == 0) {
        key = mine.get(random.nextInt(mine.size()));
        state = keys.get(key);
        ifMatch = "\"" + state.ackedVersion + "\"";
      } else {
        key = PREFIX + thread + "-" + created++;
        state = new KeyState();
        keys.put(key, state);
      }
      String value = key + "#" + attempt++ + "#" + filler(random);
      state.pendingValue = value;
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri.apply("/v1/kv/" + key))
              .timeout(Duration.ofSeconds(20))
              .PUT(HttpRequest.BodyPublishers.ofString(value));
      if (ifMatch != null) {
        request.header("If-Match", ifMatch);
      }
      try {
        HttpResponse<String> response =
            client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status == 200 || status == 201) {
          long version = new JsonObject(response.body()).getLong("version");
          long expected = state.ackedVersion + 1;
          if (version != expected || (status == 201) != (expected == 1)) {
            unexpected.add(key + ": " + status + " " + response.body() + ", expected v" + expected);
          }
          state.ackedValue = value;
          state.ackedVersion = version;
          state.pendingValue = null;
          acks.incrementAndGet();
          if (ifMatch == null) {
            mine.add(key);
          }
          continue;
        }
        failures.computeIfAbsent("HTTP " + status, s -> new AtomicInteger()).incrementAndGet();
        if (status != 503) {
          unexpected.add(key + ": " + status + " " + response.body());
        }
      } catch (IOException e) {
        failures
            .computeIfAbsent(
                e.getClass().getSimpleName() + ": " + e.getMessage(), s -> new AtomicInteger())
            .incrementAndGet();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      // Outcome unknown: keep the attempt as pending and leave this key alone from now on.
      mine.remove(key);
    }
  }

  private String filler(ThreadLocalRandom random) {
    int length = 16 + random.nextInt(maxFiller);
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((char) ('a' + random.nextInt(26)));
    }
    return text.toString();
  }

  /**
   * Every way the node's contents disagree with what was acknowledged, read through {@code node}'s
   * scan API: an acked key missing or older, a key holding a value never written, a key nobody
   * wrote. Empty when all is well.
   */
  List<String> violations(KvProcess node) throws IOException, InterruptedException {
    return check(node).violations();
  }

  /**
   * What the node holds compared with what was written: {@code violations} as for {@link
   * #violations}, and {@code appliedUnacked}, the keys holding a write whose request failed (it
   * reached the node but its answer never came back).
   */
  record Check(List<String> violations, List<String> appliedUnacked) {}

  Check check(KvProcess node) throws IOException, InterruptedException {
    Map<String, Stored> stored = scanAll(client, node);
    List<String> appliedUnacked = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    keys.forEach(
        (key, state) -> {
          Stored found = stored.get(key);
          boolean acked = state.ackedVersion > 0;
          boolean holdsAcked =
              found != null
                  && found.version() == state.ackedVersion
                  && found.value().equals(state.ackedValue);
          boolean holdsPending =
              state.pendingValue != null
                  && found != null
                  && found.version() == state.ackedVersion + 1
                  && found.value().equals(state.pendingValue);
          boolean absentAndMayBe = found == null && !acked;
          if (holdsPending) {
            appliedUnacked.add(key + " v" + found.version());
          }
          if (!(holdsAcked || holdsPending || absentAndMayBe)) {
            problems.add(
                key
                    + ": acked v"
                    + state.ackedVersion
                    + (state.pendingValue == null ? "" : " (one unacked attempt after it)")
                    + ", found "
                    + (found == null
                        ? "nothing"
                        : "v" + found.version() + " " + abbreviate(found.value())));
          }
        });
    stored.keySet().stream()
        .filter(key -> !keys.containsKey(key))
        .forEach(key -> problems.add(key + ": stored but never written"));
    return new Check(problems, appliedUnacked);
  }

  /** Acknowledged writes, and the keys that hold one. */
  long ackedKeys() {
    return keys.values().stream().filter(state -> state.ackedVersion > 0).count();
  }

  /** Every key under {@link #PREFIX}, paging through {@code GET /v1/kv}. */
  static Map<String, Stored> scanAll(HttpClient client, KvProcess node)
      throws IOException, InterruptedException {
    Map<String, Stored> stored = new HashMap<>();
    String start = PREFIX;
    while (start != null) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(
                      node.uri(
                          "/v1/kv?prefix="
                              + PREFIX
                              + "&limit=10000&start="
                              + URLEncoder.encode(start, StandardCharsets.UTF_8)))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new AssertionError("scan answered " + response.statusCode() + " " + response.body());
      }
      JsonObject page = new JsonObject(response.body());
      JsonArray items = page.getJsonArray("items");
      for (int i = 0; i < items.size(); i++) {
        JsonObject item = items.getJsonObject(i);
        String value =
            new String(Base64.getDecoder().decode(item.getString("value")), StandardCharsets.UTF_8);
        stored.put(item.getString("key"), new Stored(value, item.getLong("version")));
      }
      start = page.getString("next");
    }
    return stored;
  }

  /** Reads one key with {@code GET}: its value and ETag version, or null when absent. */
  static Stored get(HttpClient client, KvProcess node, String key)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(node.uri("/v1/kv/" + key))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 404) {
      return null;
    }
    if (response.statusCode() != 200) {
      throw new AssertionError("GET " + key + " answered " + response.statusCode());
    }
    String etag = response.headers().firstValue("ETag").orElseThrow();
    return new Stored(response.body(), Long.parseLong(etag.replace("\"", "")));
  }

  /** Some keys that were acknowledged, for spot checks with GET. */
  List<String> sampleAckedKeys(int max) {
    return keys.entrySet().stream()
        .filter(entry -> entry.getValue().ackedVersion > 0)
        .map(Map.Entry::getKey)
        .limit(max)
        .toList();
  }

  KeyState state(String key) {
    return keys.get(key);
  }

  private static String abbreviate(String value) {
    return value.length() <= 60 ? value : value.substring(0, 60) + "...";
  }
}
