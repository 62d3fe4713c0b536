package io.samzakv.kv;

import io.vertx.core.Future;

/**
 * The key-value operations every API offers. Implementations route each key to its partition's
 * primary; failures are {@link KvException}s. Methods are called on an event loop and never block.
 */
public interface KvService {
  Future<VersionedValue> get(Key key);

  Future<WriteResult> put(Key key, byte[] value, Precondition precondition);

  Future<Void> delete(Key key, Precondition precondition);

  Future<ScanPage> scan(ScanRange range, int limit);
}
