package io.samzakv.config;

/**
 * A {@code host[:port]} setting: a name or IPv4 address, or an IPv6 address (in brackets when a
 * port follows). Port 0 means none was given.
 */
record HostPort(String host, int port) {

  /** Parses {@code text}; an {@link IllegalArgumentException} says what is wrong with it. */
  static HostPort parse(String text) {
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("'" + text + "' has no closing ']'");
      }
      host = text.substring(1, close);
      String rest = text.substring(close + 1);
      if (!rest.isEmpty() && !rest.startsWith(":")) {
        throw new IllegalArgumentException("'" + text + "' is not host[:port]");
      }
      port = rest.isEmpty() ? null : rest.substring(1);
    } else if (text.indexOf(':') != text.lastIndexOf(':')) {
      // Two colons or more: an IPv6 address without a port.
      host = text;
      port = null;
    } else {
      int colon = text.indexOf(':');
      host = colon < 0 ? text : text.substring(0, colon);
      port = colon < 0 ? null : text.substring(colon + 1);
    }
    if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("'" + text + "' is not host[:port]");
    }
    return new HostPort(host, port == null ? 0 : port(text, port));
  }

  private static int port(String text, String port) {
    if (!port.matches("[0-9]{1,5}")
        || Integer.parseInt(port) < 1
        || Integer.parseInt(port) > 65_535) {
      throw new IllegalArgumentException("'" + text + "' has no port between 1 and 65535");
    }
    return Integer.parseInt(port);
  }

  /** {@code host:port}, or the host alone when no port was given; IPv6 in brackets. */
  @Override
  public String toString() {
    String bracketed = host.contains(":") ? "[" + host + "]" : host;
    return port == 0 ? bracketed : bracketed + ":" + port;
  }
}
