package io.samzakv.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What build this node runs: the project version, written into {@code build.properties} by Maven's
 * resource filtering (so it is right in the jar and in tests alike).
 */
record BuildInfo(String version) {
  private static final String RESOURCE = "build.properties";

  static BuildInfo current() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE + " from the class path", e);
    }
    return new BuildInfo(properties.getProperty("version", "unknown"));
  }
}
