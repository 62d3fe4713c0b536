package io.samzakv.storage.lmdb;

import static org.lmdbjava.DbiFlags.MDB_CREATE;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * The {@code meta} database: the partition count the environment was created with and the op-log
 * position applied so far. The position is written inside the data's own write transaction, so the
 * two can never disagree after a crash.
 *
 * <p>Thread contract: used by the opening thread, then only by the single writer thread; its direct
 * key/value buffers are not shared with readers.
 */
final class MetaDbi {

  private static final String NAME = "meta";

  private final Dbi<ByteBuffer> dbi;
  private final ByteBuffer partitionsKey = key("partitions");
  private final ByteBuffer appliedKey = key("appliedPosition");
  private final ByteBuffer longValue = ByteBuffer.allocateDirect(Long.BYTES);

  MetaDbi(Env<ByteBuffer> env) {
    this.dbi = env.openDbi(NAME, MDB_CREATE);
  }

  /** The stored partition count, or -1 for a new environment. */
  int partitionCount(Txn<ByteBuffer> txn) {
    ByteBuffer value = dbi.get(txn, partitionsKey);
    return value == null ? -1 : value.getInt(value.position());
  }

  void putPartitionCount(Txn<ByteBuffer> txn, int partitions) {
    ByteBuffer value = ByteBuffer.allocateDirect(Integer.BYTES).putInt(0, partitions);
    dbi.put(txn, partitionsKey, value);
  }

  /** The applied op-log position, 0 when nothing was ever applied. */
  long appliedPosition(Txn<ByteBuffer> txn) {
    ByteBuffer value = dbi.get(txn, appliedKey);
    return value == null ? 0 : value.getLong(value.position());
  }

  void putAppliedPosition(Txn<ByteBuffer> txn, long position) {
    putLong(txn, appliedKey, position);
  }

  private void putLong(Txn<ByteBuffer> txn, ByteBuffer key, long value) {
    longValue.clear();
    longValue.putLong(0, value);
    dbi.put(txn, key, longValue);
  }

  private static ByteBuffer key(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
  }
}
