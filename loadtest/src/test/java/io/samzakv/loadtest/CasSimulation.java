package io.samzakv.loadtest;

import io.gatling.javaapi.core.Simulation;
import java.util.Map;

/**
 * Read-modify-write increments of {@code hotKeys} counters with {@code If-Match}; a 412 conflict is
 * expected and retried. After the run every counter must hold exactly the increments clients saw
 * committed, one per version ({@link CasLedger#verify}). Also fails on any failed request or a 99th
 * percentile of 500 ms or more.
 */
public class CasSimulation extends Simulation {

  private final Scenarios scenarios = new Scenarios(LoadConfig.load(Map.of("p99Ms", "500")));

  {
    setUp(scenarios.users(scenarios.cas()))
        .protocols(scenarios.protocol())
        .assertions(scenarios.assertions());
  }

  @Override
  public void before() {
    scenarios.casLedger().reset();
  }

  @Override
  public void after() {
    scenarios.casLedger().verify();
  }
}
