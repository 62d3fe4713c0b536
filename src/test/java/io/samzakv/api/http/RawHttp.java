package io.samzakv.api.http;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 by hand over a plain socket, for requests no well-behaved client sends: raw bytes in the
 * path, malformed escapes, lying Content-Length, hand-made chunks.
 */
final class RawHttp {
  private static final int READ_TIMEOUT_MILLIS = 10_000;

  private RawHttp() {}

  record Response(int status, Map<String, String> headers, byte[] body) {
    JsonObject json() {
      return new JsonObject(new String(body, StandardCharsets.UTF_8));
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** Opens a socket that fails a read that waits longer than the read timeout. */
  static Socket connect(int port) {
    try {
      Socket socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends {@code head} (request line and headers, without the blank line) and an optional body;
   * reads the answer, without a body for a HEAD.
   */
  static Response exchange(int port, String head, byte[] body) {
    try (Socket socket = connect(port)) {
      send(socket.getOutputStream(), head, body);
      return read(socket.getInputStream(), !head.startsWith("HEAD "));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A request line from raw bytes: every char below 0x100 goes on the wire as that one byte. */
  static void send(OutputStream out, String head, byte[] body) throws IOException {
    out.write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      out.write(body);
    }
    out.flush();
  }

  /** Reads one response: status line, headers, then a Content-Length or chunked body. */
  static Response read(InputStream in) throws IOException {
    return read(in, true);
  }

  /**
   * Reads one response, with its body or, for the answer to a HEAD (whose headers announce a body
   * that is never sent), without.
   */
  static Response read(InputStream in, boolean withBody) throws IOException {
    String statusLine = line(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response: " + statusLine);
    }
    Map<String, String> headers = new TreeMap<>();
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      int colon = header.indexOf(':');
      headers.put(
          header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          header.substring(colon + 1).trim());
    }
    byte[] body;
    if (!withBody) {
      body = new byte[0];
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int size = Integer.parseInt(line(in).trim(), 16); size > 0; ) {
        out.write(in.readNBytes(size));
        line(in);
        size = Integer.parseInt(line(in).trim(), 16);
      }
      line(in);
      body = out.toByteArray();
    } else {
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      body = in.readNBytes(length);
      if (body.length != length) {
        throw new IOException("connection closed after " + body.length + " of " + length);
      }
    }
    return new Response(Integer.parseInt(parts[1]), headers, body);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("connection closed mid-line after '" + out + "'");
      }
      if (b != '\r') {
        out.write(b);
      }
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
