package io.samzakv.loadtest;

import io.gatling.javaapi.core.Simulation;
import java.util.Map;

/**
 * Prefix scans that page through the preloaded keys by their {@code next} cursors, checking each
 * page's keys. Fails on any failed request or a 99th percentile of 500 ms or more.
 */
public class ScanSimulation extends Simulation {

  private final Scenarios scenarios = new Scenarios(LoadConfig.load(Map.of("p99Ms", "500")));

  {
    setUp(scenarios.users(scenarios.scan()))
        .protocols(scenarios.protocol())
        .assertions(scenarios.assertions());
  }

  @Override
  public void before() {
    scenarios.preload().keys();
  }
}
