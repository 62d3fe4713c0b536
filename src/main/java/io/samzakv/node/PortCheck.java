package io.samzakv.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Probes that a configured port can be bound before anything slow starts, so "port in use" is an
 * immediate one-line failure rather than an error after Hazelcast has joined.
 */
final class PortCheck {
  private PortCheck() {}

  static void requireFree(String setting, String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    } catch (IOException e) {
      throw new StartupException(
          setting, "cannot bind " + host + ":" + port + " (" + e.getMessage() + ")", e);
    }
  }
}
