package io.samzakv.loadtest;

import io.gatling.javaapi.core.Simulation;
import java.util.Map;

/**
 * PUT and GET of 64 KiB values, half compressible, half random; every GET checks length and MD5.
 * Fails on any failed request or a 99th percentile of 1 s or more.
 */
public class LargeValueSimulation extends Simulation {

  private final Scenarios scenarios = new Scenarios(LoadConfig.load(Map.of("p99Ms", "1000")));

  {
    setUp(scenarios.users(scenarios.largeValue()))
        .protocols(scenarios.protocol())
        .assertions(scenarios.assertions());
  }

  @Override
  public void before() {
    scenarios.preload().largeValues();
  }
}
