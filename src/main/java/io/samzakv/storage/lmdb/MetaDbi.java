package io.samzakv.storage.lmdb;

import static org.lmdbjava.DbiFlags.MDB_CREATE;

import io.samzakv.storage.Evidence;
import io.samzakv.storage.PartitionHistory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * The {@code meta} database: the partition count the environment was created with, the op-log
 * position applied so far and each partition's {@link Evidence} ({@code evidence/p00000}: entry
 * count and digest, 16 bytes) and, for a partition rebuilt into a fresh database, that database's
 * name ({@code database/p00000}), and each partition's {@link PartitionHistory} ({@code
 * history/p00000}). Position and evidence are written inside the data's own write transaction, so
 * none of them can disagree with the data after a crash.
 *
 * <p>Thread contract: writes come from the opening thread, then only from the single writer thread,
 * which owns the direct value buffers. {@link #evidence} may be called from any thread: its key
 * buffers are made at construction and never written again.
 */
final class MetaDbi {

  private static final String NAME = "meta";

  private final Dbi<ByteBuffer> dbi;
  private final ByteBuffer partitionsKey = key("partitions");
  private final ByteBuffer appliedKey = key("appliedPosition");
  private final ByteBuffer longValue = ByteBuffer.allocateDirect(Long.BYTES);
  private final ByteBuffer evidenceValue = ByteBuffer.allocateDirect(2 * Long.BYTES);
  private final ByteBuffer[] evidenceKeys;
  private final ByteBuffer[] historyKeys;

  /**
   * @param create whether to create the database if it is missing (only in a new file)
   * @throws org.lmdbjava.Dbi.KeyNotFoundException when it is missing and must not be created
   */
  MetaDbi(Env<ByteBuffer> env, int partitions, boolean create) {
    this.dbi = create ? env.openDbi(NAME, MDB_CREATE) : env.openDbi(NAME);
    this.evidenceKeys = new ByteBuffer[partitions];
    this.historyKeys = new ByteBuffer[partitions];
    for (int p = 0; p < partitions; p++) {
      evidenceKeys[p] = key(String.format("evidence/p%05d", p));
      historyKeys[p] = key(String.format("history/p%05d", p));
    }
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

  /** The name of the partition's database after a rebuild, or null for the original one. */
  String databaseName(Txn<ByteBuffer> txn, int partition) {
    ByteBuffer value = dbi.get(txn, databaseKey(partition));
    if (value == null) {
      return null;
    }
    byte[] name = new byte[value.remaining()];
    value.get(value.position(), name);
    return new String(name, StandardCharsets.US_ASCII);
  }

  void putDatabaseName(Txn<ByteBuffer> txn, int partition, String name) {
    dbi.put(txn, databaseKey(partition), key(name));
  }

  private static ByteBuffer databaseKey(int partition) {
    return key(String.format("database/p%05d", partition));
  }

  /** The partition's recorded evidence, or null when none was ever recorded. */
  Evidence evidence(Txn<ByteBuffer> txn, int partition) {
    ByteBuffer value = dbi.get(txn, evidenceKeys[partition]);
    if (value == null) {
      return null;
    }
    return new Evidence(
        value.getLong(value.position()), value.getLong(value.position() + Long.BYTES));
  }

  void putEvidence(Txn<ByteBuffer> txn, int partition, Evidence evidence) {
    evidenceValue.clear();
    evidenceValue.putLong(0, evidence.entries()).putLong(Long.BYTES, evidence.digest());
    dbi.put(txn, evidenceKeys[partition], evidenceValue);
  }

  /** The partition's history as of this transaction; empty when it never applied a record. */
  PartitionHistory history(Txn<ByteBuffer> txn, int partition) {
    ByteBuffer value = dbi.get(txn, historyKeys[partition]);
    return value == null ? PartitionHistory.EMPTY : PartitionHistory.decode(value.duplicate());
  }

  void putHistory(Txn<ByteBuffer> txn, int partition, PartitionHistory history) {
    byte[] encoded = history.encode();
    dbi.reserve(txn, historyKeys[partition], encoded.length).put(encoded);
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
