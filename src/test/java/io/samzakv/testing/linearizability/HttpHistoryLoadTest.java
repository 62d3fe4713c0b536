package io.samzakv.testing.linearizability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.samzakv.testing.linearizability.LinearizabilityChecker.Result;
import io.samzakv.testing.linearizability.LinearizabilityChecker.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load driver reads responses as the API defines them and records what the clients saw. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpHistoryLoadTest {
  private static final Optional<String> NO_ETAG = Optional.empty();

  @Test
  void readsTakeValueFromTheBodyAndVersionFromTheETag() {
    assertThat(HttpHistoryLoad.outcome(Op.Kind.READ, 200, Optional.of("\"3\""), "c1-7"))
        .isEqualTo(Outcome.read("c1-7", 3));
    assertThat(HttpHistoryLoad.outcome(Op.Kind.READ, 404, NO_ETAG, "{\"error\":\"not_found\"}"))
        .isEqualTo(Outcome.notFound());
  }

  @Test
  void writesTakeTheirVersionFromTheJsonBody() {
    String created = "{\"key\":\"k\",\"version\":1}";
    String updated = "{\"key\":\"k\",\"version\":5}";

    assertThat(HttpHistoryLoad.outcome(Op.Kind.WRITE, 201, Optional.of("\"1\""), created))
        .isEqualTo(Outcome.written(1));
    assertThat(HttpHistoryLoad.outcome(Op.Kind.CAS, 200, Optional.of("\"5\""), updated))
        .isEqualTo(Outcome.written(5));
  }

  @Test
  void refusedCasCarriesTheCurrentVersion() {
    String body = "{\"error\":\"version_mismatch\",\"current_version\":4}";

    assertThat(HttpHistoryLoad.outcome(Op.Kind.CAS, 412, NO_ETAG, body))
        .isEqualTo(Outcome.mismatch(4));
  }

  @Test
  void deletesAreDoneOrFindNothing() {
    assertThat(HttpHistoryLoad.outcome(Op.Kind.DELETE, 200, NO_ETAG, "{\"deleted\":true}"))
        .isEqualTo(Outcome.deleted());
    assertThat(HttpHistoryLoad.outcome(Op.Kind.DELETE, 404, NO_ETAG, "{}"))
        .isEqualTo(Outcome.notFound());
  }

  @Test
  void answersTheApiDoesNotDefineLeaveTheOutcomeUnknown() {
    for (Op.Kind kind : Op.Kind.values()) {
      assertThat(HttpHistoryLoad.outcome(kind, 503, NO_ETAG, "{\"error\":\"unavailable\"}"))
          .isInstanceOf(Outcome.Unknown.class);
      assertThat(HttpHistoryLoad.outcome(kind, 500, NO_ETAG, "{\"error\":\"corrupt\"}"))
          .isInstanceOf(Outcome.Unknown.class);
    }
    assertThat(HttpHistoryLoad.outcome(Op.Kind.WRITE, 412, NO_ETAG, "{\"current_version\":1}"))
        .isInstanceOf(Outcome.Unknown.class);
    assertThat(HttpHistoryLoad.outcome(Op.Kind.WRITE, 200, NO_ETAG, "not json"))
        .isInstanceOf(Outcome.Unknown.class);
    assertThat(HttpHistoryLoad.outcome(Op.Kind.READ, 200, NO_ETAG, "c1-1"))
        .isInstanceOf(Outcome.Unknown.class);
  }

  @Test
  void historyFromACorrectStoreWithFaultsIsLinearizable() throws InterruptedException {
    History history;
    try (StubKvServer stub = StubKvServer.start(3, false, 300)) {
      HttpHistoryLoad load =
          HttpHistoryLoad.start(
              stub.nodes(), 6, List.of("a", "b/c", "d e"), Duration.ofMillis(150));
      await().atMost(Duration.ofSeconds(40)).until(() -> load.history().size() >= 1500);
      history = load.stop();
    }

    Result result = LinearizabilityChecker.check(history);

    System.out.println(result);
    assertThat(result.verdict()).as(result.explanation()).isEqualTo(Verdict.LINEARIZABLE);
    List<Op> ops = history.ops();
    assertThat(ops)
        .extracting(op -> op.outcome().getClass().getSimpleName())
        .contains("Ok", "NotFound", "Mismatch", "Unknown");
    assertThat(ops)
        .filteredOn(Op::isUnknown)
        .extracting(op -> ((Outcome.Unknown) op.outcome()).cause())
        .contains("HTTP 503", "HttpTimeoutException");
    assertThat(ops).extracting(Op::kind).contains(Op.Kind.values());
  }

  @Test
  void storeServingStaleReadsIsCaught() throws InterruptedException {
    History history;
    try (StubKvServer stub = StubKvServer.start(2, true, 300)) {
      HttpHistoryLoad load =
          HttpHistoryLoad.start(stub.nodes(), 4, List.of("a", "b"), Duration.ofMillis(150));
      await().atMost(Duration.ofSeconds(40)).until(() -> load.history().size() >= 500);
      history = load.stop();
    }

    Result result = LinearizabilityChecker.check(history);

    System.out.println(result);
    assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }
}
