package io.samzakv.storage.lmdb;

import io.samzakv.storage.StorageCorruptException;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbNativeException;

/**
 * Which of LMDB's errors mean that data.mdb is damaged: a page that is not what its parent says
 * (MDB_CORRUPTED, MDB_PAGE_NOTFOUND), a B-tree deeper than LMDB allows or a page fuller than a page
 * (only a garbled page header gets there), a node whose flags claim a sub-database, a database
 * missing from the catalog of a file that has one (it is opened, not created, there), a file or
 * environment LMDB no longer recognizes. None of these can come from a request; each means the
 * answer cannot be trusted, so none may become "not found".
 */
final class LmdbDamage {
  private LmdbDamage() {}

  static boolean isDamage(RuntimeException error) {
    return error instanceof LmdbNativeException.PageCorruptedException
        || error instanceof LmdbNativeException.PageNotFoundException
        || error instanceof LmdbNativeException.PageFullException
        || error instanceof LmdbNativeException.PanicException
        || error instanceof Cursor.FullException
        || error instanceof Dbi.IncompatibleException
        || error instanceof Dbi.KeyNotFoundException
        || error instanceof Dbi.BadValueSizeException
        || error instanceof Env.FileInvalidException
        || error instanceof Env.VersionMismatchException;
  }

  /**
   * {@code error} as a {@link StorageCorruptException} of {@code partition} when it is damage, else
   * unchanged.
   */
  static RuntimeException translate(RuntimeException error, int partition, String where) {
    if (!isDamage(error)) {
      return error;
    }
    String what =
        partition == StorageCorruptException.WHOLE_STORE
            ? where
            : where + ", partition " + partition;
    return new StorageCorruptException(partition, what + ": " + error.getMessage(), error);
  }
}
