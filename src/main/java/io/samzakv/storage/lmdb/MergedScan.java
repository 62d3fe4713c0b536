package io.samzakv.storage.lmdb;

import io.samzakv.storage.KeyValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.IntFunction;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;

/**
 * A k-way merge of per-partition cursors, all inside one read transaction so the result is one
 * consistent snapshot. LMDB's default key order (memcmp, shorter prefix first) equals {@link
 * Arrays#compareUnsigned}, so each cursor yields keys in the order the merge needs.
 *
 * <p>Thread contract: one instance per scan, confined to the thread that owns the transaction.
 */
final class MergedScan {

  /** A partition's cursor and the copy of the key it currently points at. */
  private record Head(int partition, Cursor<ByteBuffer> cursor, byte[] key) {}

  private static final Comparator<Head> ORDER =
      Comparator.<Head, byte[]>comparing(Head::key, Arrays::compareUnsigned)
          .thenComparingInt(Head::partition);

  private final byte[] end;
  private final String dataFile;
  private final PriorityQueue<Head> heads;
  private final List<Cursor<ByteBuffer>> cursors;

  private MergedScan(int partitions, byte[] end, String dataFile) {
    this.end = end;
    this.dataFile = dataFile;
    this.heads = new PriorityQueue<>(Math.max(1, partitions), ORDER);
    this.cursors = new ArrayList<>(partitions);
  }

  /**
   * Up to {@code limit} entries with {@code start <= key < end} (null end: unbounded) from {@code
   * partitions}, merged in unsigned key order; keys and values are copies.
   *
   * @param startKey {@code start} in a direct buffer, used only while the cursors are positioned
   * @param dataFile the file named when a cursor meets a damaged page
   * @throws io.samzakv.storage.StorageCorruptException naming the partition whose cursor met
   *     damage: a scan never skips what it cannot read
   */
  static List<KeyValue> run(
      Txn<ByteBuffer> txn,
      IntFunction<Dbi<ByteBuffer>> dbis,
      int[] partitions,
      ByteBuffer startKey,
      byte[] end,
      int limit,
      String dataFile) {
    MergedScan scan = new MergedScan(partitions.length, end, dataFile);
    try {
      for (int partition : partitions) {
        try {
          Cursor<ByteBuffer> cursor = dbis.apply(partition).openCursor(txn);
          scan.cursors.add(cursor);
          // LMDB rejects a zero-length key, so an empty start means "from the first key".
          boolean positioned =
              startKey.remaining() == 0
                  ? cursor.first()
                  : cursor.get(startKey, GetOp.MDB_SET_RANGE);
          scan.offer(partition, cursor, positioned);
        } catch (RuntimeException e) {
          throw LmdbDamage.translate(e, partition, dataFile);
        }
      }
      return scan.drain(limit);
    } finally {
      scan.cursors.forEach(Cursor::close);
    }
  }

  private List<KeyValue> drain(int limit) {
    List<KeyValue> out = new ArrayList<>(Math.min(limit, 1024));
    while (out.size() < limit && !heads.isEmpty()) {
      Head head = heads.poll();
      try {
        out.add(new KeyValue(head.partition(), head.key(), Buffers.copy(head.cursor().val())));
        offer(head.partition(), head.cursor(), head.cursor().next());
      } catch (RuntimeException e) {
        throw LmdbDamage.translate(e, head.partition(), dataFile);
      }
    }
    return out;
  }

  private void offer(int partition, Cursor<ByteBuffer> cursor, boolean positioned) {
    if (!positioned) {
      return;
    }
    byte[] key = Buffers.copy(cursor.key());
    if (end == null || Arrays.compareUnsigned(key, end) < 0) {
      heads.add(new Head(partition, cursor, key));
    }
  }
}
