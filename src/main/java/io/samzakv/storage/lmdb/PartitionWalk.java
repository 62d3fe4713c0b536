package io.samzakv.storage.lmdb;

import io.samzakv.storage.EntryDigest;
import io.samzakv.storage.Evidence;
import io.samzakv.storage.ValueCheck;
import java.nio.ByteBuffer;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;

/**
 * One cursor pass over a partition inside a caller's transaction: the evidence its entries add up
 * to, how many values fail the caller's check, and the damage LMDB reported if the pass could not
 * finish. Used by the scrub and to compute the evidence of a store written before evidence existed.
 *
 * <p>Thread contract: confined to the thread that owns the transaction.
 */
record PartitionWalk(Evidence found, long badValues, String damage) {

  static PartitionWalk run(
      Txn<ByteBuffer> txn, Dbi<ByteBuffer> dbi, EntryDigest digest, ValueCheck check) {
    Evidence found = Evidence.EMPTY;
    long bad = 0;
    try (Cursor<ByteBuffer> cursor = dbi.openCursor(txn)) {
      for (boolean more = cursor.first(); more; more = cursor.next()) {
        ByteBuffer value = cursor.val();
        found = found.plus(digest.of(cursor.key(), value));
        if (!check.intact(value.asReadOnlyBuffer())) {
          bad++;
        }
      }
    } catch (RuntimeException e) {
      if (!LmdbDamage.isDamage(e)) {
        throw e;
      }
      return new PartitionWalk(found, bad, e.getMessage());
    }
    return new PartitionWalk(found, bad, null);
  }
}
