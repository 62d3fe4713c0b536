package io.samzakv.loadtest;

import io.gatling.javaapi.core.Simulation;
import java.util.Map;

/**
 * Every scenario at once, briefly and with few users ({@code users} is per scenario here), so CI
 * proves the simulations still run and the node still passes their checks.
 */
public class SmokeSimulation extends Simulation {

  private final Scenarios scenarios =
      new Scenarios(
          LoadConfig.load(
              Map.of(
                  "users", "2",
                  "duration", "10",
                  "keys", "2000",
                  "hotKeys", "4",
                  "largeKeys", "32",
                  "p99Ms", "2000")));

  {
    setUp(
            scenarios.users(scenarios.readHeavy()),
            scenarios.users(scenarios.writeHeavy()),
            scenarios.users(scenarios.scan()),
            scenarios.users(scenarios.cas()),
            scenarios.users(scenarios.largeValue()),
            scenarios.users(scenarios.batch()))
        .protocols(scenarios.protocol())
        .assertions(scenarios.assertions());
  }

  @Override
  public void before() {
    scenarios.preload().keys();
    scenarios.preload().largeValues();
    scenarios.casLedger().reset();
  }

  @Override
  public void after() {
    scenarios.casLedger().verify();
  }
}
