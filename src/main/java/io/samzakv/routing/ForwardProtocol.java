package io.samzakv.routing;

import io.samzakv.api.KvJson;
import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.ScanItem;
import io.samzakv.kv.ScanPage;
import io.samzakv.kv.ScanRange;
import io.samzakv.kv.VersionedValue;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire format of requests forwarded to a partition's primary over the clustered event bus, to
 * the address {@code kv.fwd.<primaryNodeId>}. Bodies are binary {@link Buffer}s, not JSON: a
 * forwarded PUT or GET carries the value as raw bytes (JSON would base64 it, a third larger, and
 * parse it on both sides), and a Buffer crosses the bus with Vert.x's built-in codec.
 *
 * <p>Request: {@code op:u8, fences:i32, fences x (partition:i32, leaderEpoch:i64)}, then per op:
 *
 * <ul>
 *   <li>GET {@code key}; PUT {@code key, precondition, valueLength:i32, value}; DELETE {@code key,
 *       precondition}
 *   <li>SCAN {@code limit:i32, startLength:i32, start, endLength:i32 (-1 = unbounded), end}
 * </ul>
 *
 * where {@code key} is {@code length:u16, utf8} and {@code precondition} is {@code 0} (none),
 * {@code 1, version:i64} or {@code 2} (must be absent). A SCAN's fences name every partition it
 * asks of that primary; the other ops have one.
 *
 * <p>Reply: GET {@code version:i64, value (the rest)}; PUT {@code version:i64}; DELETE empty; SCAN
 * {@code count:i32, count x (key, version:i64, valueLength:i32, value), nextLength:i32 (-1 = none),
 * next}.
 *
 * <p>Failure: {@code message.fail(code, body)}. A business failure carries the HTTP status as its
 * code and the HTTP error body ({@code {"error","message","current_version"?}}), so it becomes the
 * same {@link KvException} on the sender. A fencing refusal carries {@link #STALE_EPOCH} or {@link
 * #NOT_PRIMARY} and {@code {"error":"stale_epoch"|"not_primary","message","table_epoch"}}: the
 * sender refreshes its table and retries.
 */
public final class ForwardProtocol {
  private static final String ADDRESS_PREFIX = "kv.fwd.";

  /** The primary serves the partition at another leader epoch than the sender's. */
  public static final int STALE_EPOCH = 1001;

  /** The receiver is not the partition's primary in its table. */
  public static final int NOT_PRIMARY = 1002;

  /**
   * How long a request sent to a primary waits for its answer. Well above an fsynced write (1-10
   * ms) or a full scan page, below the router's retry bound: a dead member costs this, not the
   * bus's default 30 s.
   */
  public static final Duration SEND_TIMEOUT = Duration.ofSeconds(3);

  private static final byte GET = 1;
  private static final byte PUT = 2;
  private static final byte DELETE = 3;
  private static final byte SCAN = 4;

  private static final byte NO_CONDITION = 0;
  private static final byte IF_VERSION = 1;
  private static final byte IF_ABSENT = 2;

  private ForwardProtocol() {}

  /** The address where node {@code nodeId} takes requests for the partitions it is primary of. */
  public static String address(String nodeId) {
    return ADDRESS_PREFIX + nodeId;
  }

  /** A partition and the leader epoch at which the sender believes its primary serves it. */
  public record Fence(int partition, long leaderEpoch) {}

  /** A request for one primary; {@link #tag} names its op in metrics. */
  public sealed interface Request {
    List<Fence> fences();

    String tag();
  }

  public record Get(Fence fence, Key key) implements Request {
    @Override
    public List<Fence> fences() {
      return List.of(fence);
    }

    @Override
    public String tag() {
      return "get";
    }
  }

  public record Put(Fence fence, Key key, byte[] value, Precondition precondition)
      implements Request {
    @Override
    public List<Fence> fences() {
      return List.of(fence);
    }

    @Override
    public String tag() {
      return "put";
    }
  }

  public record Delete(Fence fence, Key key, Precondition precondition) implements Request {
    @Override
    public List<Fence> fences() {
      return List.of(fence);
    }

    @Override
    public String tag() {
      return "delete";
    }
  }

  public record Scan(List<Fence> fences, ScanRange range, int limit) implements Request {
    public Scan {
      fences = List.copyOf(fences);
    }

    /** The partitions this scan asks of its primary. */
    public int[] partitions() {
      return fences.stream().mapToInt(Fence::partition).toArray();
    }

    @Override
    public String tag() {
      return "scan";
    }
  }

  // ---- requests -------------------------------------------------------------------------------

  public static Buffer encode(Request request) {
    Buffer out = Buffer.buffer(64 + (request instanceof Put put ? put.value().length : 0));
    if (request instanceof Get get) {
      fences(out.appendByte(GET), request);
      appendKey(out, get.key());
    } else if (request instanceof Put put) {
      fences(out.appendByte(PUT), request);
      appendKey(out, put.key());
      appendPrecondition(out, put.precondition());
      out.appendInt(put.value().length).appendBytes(put.value());
    } else if (request instanceof Delete delete) {
      fences(out.appendByte(DELETE), request);
      appendKey(out, delete.key());
      appendPrecondition(out, delete.precondition());
    } else {
      Scan scan = (Scan) request;
      fences(out.appendByte(SCAN), request).appendInt(scan.limit());
      appendBytes(out, scan.range().start());
      appendBytes(out, scan.range().end());
    }
    return out;
  }

  private static Buffer fences(Buffer out, Request request) {
    List<Fence> fences = request.fences();
    out.appendInt(fences.size());
    for (Fence fence : fences) {
      out.appendInt(fence.partition()).appendLong(fence.leaderEpoch());
    }
    return out;
  }

  /** The request in {@code in}; a malformed one fails with a 400 {@link KvException}. */
  public static Request decode(Buffer in) {
    try {
      Reader reader = new Reader(in);
      byte op = reader.in.getByte(reader.next(1));
      int count = reader.in.getInt(reader.next(4));
      List<Fence> fences = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        fences.add(new Fence(reader.in.getInt(reader.next(4)), reader.in.getLong(reader.next(8))));
      }
      return switch (op) {
        case GET -> new Get(fences.get(0), reader.key());
        case PUT -> put(fences.get(0), reader.key(), reader.precondition(), reader.bytes());
        case DELETE -> new Delete(fences.get(0), reader.key(), reader.precondition());
        case SCAN -> {
          int limit = reader.in.getInt(reader.next(4));
          yield new Scan(fences, new ScanRange(reader.bytes(), reader.bytes()), limit);
        }
        default -> throw new IllegalArgumentException("unknown op " + op);
      };
    } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
      throw KvException.badRequest("invalid_request", "malformed forwarded request: " + e);
    }
  }

  // The record's field order is key, value, precondition; the wire's is key, precondition, value.
  private static Put put(Fence fence, Key key, Precondition precondition, byte[] value) {
    return new Put(fence, key, value, precondition);
  }

  // ---- replies --------------------------------------------------------------------------------

  public static Buffer encodeValue(VersionedValue value) {
    return Buffer.buffer(8 + value.value().length)
        .appendLong(value.version())
        .appendBytes(value.value());
  }

  public static VersionedValue decodeValue(Buffer in) {
    return new VersionedValue(in.getLong(0), in.getBytes(8, in.length()));
  }

  public static Buffer encodeVersion(long version) {
    return Buffer.buffer(8).appendLong(version);
  }

  public static long decodeVersion(Buffer in) {
    return in.getLong(0);
  }

  public static Buffer encodePage(ScanPage page) {
    Buffer out = Buffer.buffer().appendInt(page.items().size());
    for (ScanItem item : page.items()) {
      appendBytes(out, item.key().getBytes(StandardCharsets.UTF_8));
      out.appendLong(item.version());
      appendBytes(out, item.value());
    }
    appendBytes(out, page.next() == null ? null : page.next().getBytes(StandardCharsets.UTF_8));
    return out;
  }

  public static ScanPage decodePage(Buffer in) {
    Reader reader = new Reader(in);
    int count = in.getInt(reader.next(4));
    List<ScanItem> items = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String key = utf8(reader.bytes());
      long version = in.getLong(reader.next(8));
      items.add(new ScanItem(key, reader.bytes(), version));
    }
    byte[] next = reader.bytes();
    return new ScanPage(items, next == null ? null : utf8(next));
  }

  // ---- failures -------------------------------------------------------------------------------

  /** Answers {@code message} with {@code error} as the HTTP API would, status as failure code. */
  public static void fail(Message<?> message, KvException error) {
    message.fail(error.status(), KvJson.error(error).encode());
  }

  /** Refuses {@code message}: this member cannot serve it at the sender's epoch. */
  public static void refuse(Message<?> message, int code, String reason, long tableEpoch) {
    message.fail(
        code,
        KvJson.error(code == STALE_EPOCH ? "stale_epoch" : "not_primary", reason)
            .put("table_epoch", tableEpoch)
            .encode());
  }

  /**
   * Whether the request surely was not served and may go to the primary again once the table is
   * fresh: a fencing refusal, or no member listening at the primary's address.
   */
  public static boolean isRefusal(Throwable failure) {
    return failure instanceof ReplyException reply
        && (reply.failureType() == ReplyFailure.NO_HANDLERS
            || (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
                && (reply.failureCode() == STALE_EPOCH || reply.failureCode() == NOT_PRIMARY)));
  }

  /**
   * Whether the request or its answer was lost on the way (no answer in time, or the bus failed to
   * carry it): it may or may not have been served.
   */
  public static boolean isLost(Throwable failure) {
    return failure instanceof ReplyException reply
        && (reply.failureType() == ReplyFailure.TIMEOUT
            || reply.failureType() == ReplyFailure.ERROR);
  }

  /** A business failure sent by {@link #fail} as the {@link KvException} it was; else null. */
  public static KvException asKvException(Throwable failure) {
    if (failure instanceof ReplyException reply
        && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && reply.failureCode() >= 400
        && reply.failureCode() < 600) {
      try {
        JsonObject body = new JsonObject(reply.getMessage());
        return KvException.of(
            reply.failureCode(),
            body.getString("error"),
            body.getString("message"),
            body.getLong("current_version"));
      } catch (DecodeException | ClassCastException e) {
        return null;
      }
    }
    return null;
  }

  private static void appendKey(Buffer out, Key key) {
    out.appendUnsignedShort(key.utf8().length).appendBytes(key.utf8());
  }

  private static void appendPrecondition(Buffer out, Precondition precondition) {
    if (precondition.ifAbsent()) {
      out.appendByte(IF_ABSENT);
    } else if (precondition.ifVersion() != null) {
      out.appendByte(IF_VERSION).appendLong(precondition.ifVersion());
    } else {
      out.appendByte(NO_CONDITION);
    }
  }

  /** {@code length:i32, bytes}; null as length -1. */
  private static void appendBytes(Buffer out, byte[] bytes) {
    if (bytes == null) {
      out.appendInt(-1);
    } else {
      out.appendInt(bytes.length).appendBytes(bytes);
    }
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Reads fields in order from a buffer. */
  private static final class Reader {
    final Buffer in;
    private int position;

    Reader(Buffer in) {
      this.in = in;
    }

    /** The offset of the next {@code length} bytes, which it then skips. */
    int next(int length) {
      int at = position;
      position += length;
      if (position > in.length()) {
        throw new IndexOutOfBoundsException("truncated at " + at);
      }
      return at;
    }

    Key key() {
      int length = in.getUnsignedShort(next(2));
      return Key.stored(in.getBytes(next(length), position));
    }

    Precondition precondition() {
      return switch (in.getByte(next(1))) {
        case NO_CONDITION -> Precondition.NONE;
        case IF_VERSION -> Precondition.ifVersion(in.getLong(next(8)));
        case IF_ABSENT -> Precondition.ABSENT;
        default -> throw new IllegalArgumentException("unknown precondition");
      };
    }

    byte[] bytes() {
      int length = in.getInt(next(4));
      return length < 0 ? null : in.getBytes(next(length), position);
    }
  }
}
