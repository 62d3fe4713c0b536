package io.samzakv.api.http;

import io.samzakv.kv.Key;
import io.samzakv.kv.KvException;
import io.samzakv.kv.KvService;
import io.samzakv.kv.Precondition;
import io.samzakv.kv.ScanItem;
import io.samzakv.kv.ScanPage;
import io.samzakv.kv.ScanRange;
import io.samzakv.kv.VersionedValue;
import io.samzakv.kv.WriteResult;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link KvService}'s contract over a map, for HTTP tests that need the API's answers but not the
 * store under them: versions from 1, +1 per write, a delete removes the key; preconditions and the
 * value limit checked; scans in unsigned byte order (sorting the whole map: for small tests).
 */
public final class MapKvService implements KvService {
  private final Map<String, VersionedValue> values = new ConcurrentHashMap<>();
  private final int maxValueBytes;

  public MapKvService(int maxValueBytes) {
    this.maxValueBytes = maxValueBytes;
  }

  @Override
  public Future<VersionedValue> get(Key key) {
    VersionedValue value = values.get(key.text());
    return value == null
        ? Future.failedFuture(KvException.notFound())
        : Future.succeededFuture(value);
  }

  @Override
  public Future<WriteResult> put(Key key, byte[] value, Precondition precondition) {
    if (value.length > maxValueBytes) {
      return Future.failedFuture(KvException.tooLarge("value is too large"));
    }
    try {
      VersionedValue written =
          values.compute(
              key.text(),
              (text, current) -> {
                long version = current == null ? 0 : current.version();
                if (!precondition.allows(version)) {
                  throw KvException.versionMismatch(version);
                }
                return new VersionedValue(version + 1, value);
              });
      return Future.succeededFuture(new WriteResult(key.text(), written.version()));
    } catch (KvException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<Void> delete(Key key, Precondition precondition) {
    VersionedValue current = values.get(key.text());
    long version = current == null ? 0 : current.version();
    if (!precondition.allows(version)) {
      return Future.failedFuture(KvException.versionMismatch(version));
    }
    return values.remove(key.text()) == null
        ? Future.failedFuture(KvException.notFound())
        : Future.succeededFuture();
  }

  @Override
  public Future<ScanPage> scan(ScanRange range, int limit) {
    List<ScanItem> found =
        values.entrySet().stream()
            .filter(entry -> inRange(entry.getKey(), range))
            .sorted(Comparator.comparing(entry -> utf8(entry.getKey()), Arrays::compareUnsigned))
            .limit(limit + 1L)
            .map(
                entry ->
                    new ScanItem(
                        entry.getKey(), entry.getValue().value(), entry.getValue().version()))
            .toList();
    return Future.succeededFuture(
        found.size() > limit
            ? new ScanPage(found.subList(0, limit), found.get(limit).key())
            : new ScanPage(found, null));
  }

  private static boolean inRange(String key, ScanRange range) {
    byte[] bytes = utf8(key);
    return Arrays.compareUnsigned(bytes, range.start()) >= 0
        && (range.end() == null || Arrays.compareUnsigned(bytes, range.end()) < 0);
  }

  private static byte[] utf8(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }
}
