package io.samzakv.loadtest;

import io.gatling.javaapi.core.Simulation;
import java.util.Map;

/**
 * PUT only, of uniformly random preloaded keys: the durable write path. Meant for a node with
 * {@code KV_FSYNC=always} (bin/loadtest's default), where every answer waited for an fsync. Fails
 * on any failed request or a 99th percentile of 200 ms or more.
 */
public class WriteHeavySimulation extends Simulation {

  private final Scenarios scenarios = new Scenarios(LoadConfig.load(Map.of()));

  {
    setUp(scenarios.users(scenarios.writeHeavy()))
        .protocols(scenarios.protocol())
        .assertions(scenarios.assertions());
  }

  @Override
  public void before() {
    scenarios.preload().keys();
  }
}
