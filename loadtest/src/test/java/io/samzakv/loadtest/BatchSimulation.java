package io.samzakv.loadtest;

import io.gatling.javaapi.core.Simulation;
import java.util.Map;

/**
 * {@code POST /v1/batch} of {@code batchOps} mixed gets, puts and deletes; every op's result must
 * carry its expected status. Fails on any failed request or a 99th percentile of 3 s or more.
 */
public class BatchSimulation extends Simulation {

  private final Scenarios scenarios = new Scenarios(LoadConfig.load(Map.of("p99Ms", "3000")));

  {
    setUp(scenarios.users(scenarios.batch()))
        .protocols(scenarios.protocol())
        .assertions(scenarios.assertions());
  }

  @Override
  public void before() {
    scenarios.preload().keys();
  }
}
