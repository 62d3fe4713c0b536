package io.samzakv.loadtest;

import io.gatling.javaapi.core.Simulation;
import java.util.Map;

/**
 * 95% GET, 5% PUT of uniformly random preloaded keys ({@code keys} of {@code valueBytes}). Fails on
 * any failed request or a 99th percentile of 200 ms or more ({@code -DmaxFailedPercent}, {@code
 * -Dp99Ms}).
 */
public class ReadHeavySimulation extends Simulation {

  private final Scenarios scenarios = new Scenarios(LoadConfig.load(Map.of()));

  {
    setUp(scenarios.users(scenarios.readHeavy()))
        .protocols(scenarios.protocol())
        .assertions(scenarios.assertions());
  }

  @Override
  public void before() {
    scenarios.preload().keys();
  }
}
