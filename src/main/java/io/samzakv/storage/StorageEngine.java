package io.samzakv.storage;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The node's durable key-value engine: one keyspace per partition, and one op-log position for the
 * whole engine, recorded with each {@link #apply}, up to which everything is applied (the log is
 * one sequence across partitions, so one position covers them all). It stores opaque value bytes
 * (the codec's encoding); it knows nothing of versions or checksums.
 *
 * <p>Evidence: every {@link #apply} also updates, in the same transaction, each touched partition's
 * {@link Evidence} (entry count and digest of keys and value prefixes), so at any committed
 * snapshot the evidence equals what the partition holds; {@link #scrub} checks that. Damage the
 * engine meets at run time is a {@link StorageCorruptException}, never an absent key.
 *
 * <p>Thread contract: {@link #apply} is called by exactly one writer thread at a time. Reads
 * ({@link #get}, {@link #scan}) may run concurrently from any number of non-event-loop threads and
 * never wait behind the writer (LMDB readers see the last committed snapshot).
 */
public interface StorageEngine extends AutoCloseable {

  /** Where the data lives (the file an operator restores), for messages. */
  String location();

  /** The partition count the data directory was created with. */
  int partitionCount();

  /** A copy of the stored bytes of {@code key} in {@code partition}, or null when absent. */
  byte[] get(int partition, byte[] key);

  /**
   * Up to {@code limit} entries of the given partitions with {@code start <= key < end}, merged in
   * unsigned-byte key order, read from one consistent snapshot. A null {@code end} means unbounded.
   */
  List<KeyValue> scan(int[] partitions, byte[] start, byte[] end, int limit);

  /**
   * Makes room for {@link #apply} of {@code batch} ahead of it, by a conservative estimate: grows
   * the store, its disk space allocated up front, so that applying the batch will not run out.
   * Changes nothing but the room; call it before the batch is promised anywhere (logged).
   *
   * @throws io.samzakv.disk.NoSpaceException when the disk cannot give the room
   * @throws IllegalArgumentException when a mutation names no partition or an unfit key
   */
  void reserve(WriteBatch batch);

  /**
   * Applies every mutation in one atomic transaction, and in that same transaction records {@code
   * batch.appliedThrough()} as the op-log position applied so far. Grows the store as needed (as
   * {@link #reserve} does, and again if the estimate fell short), deletes included.
   *
   * @throws io.samzakv.disk.NoSpaceException when it must grow and the disk cannot give the room;
   *     nothing of the batch is applied
   */
  void apply(WriteBatch batch);

  /**
   * Walks {@code partition} in one read snapshot, recounting and re-digesting it and passing every
   * value to {@code check}, and holds the result against the evidence of that same snapshot. Damage
   * met on the way is reported in the result, not thrown.
   */
  PartitionScrub scrub(int partition, ValueCheck check);

  /**
   * Rebuilds {@code partition} from scratch: {@code source} is called once and feeds it every
   * mutation, in order, that brings an empty partition to the state it should have; the engine
   * writes them into a fresh keyspace and switches to it atomically, with new evidence, never
   * touching the old (damaged) one. Only while nothing else reads or writes the partition.
   */
  void rebuild(int partition, Consumer<Consumer<Mutation>> source);

  /**
   * Like {@link #rebuild}, for a copy of {@code partition} received from its primary: the fresh
   * keyspace is switched to with {@code history} (the primary's as of the copy, asked for once the
   * source is done) and forced to disk before this returns, so the records that follow the copy in
   * the op log are never replayed onto the keyspace the copy replaced.
   */
  void install(
      int partition, Consumer<Consumer<Mutation>> source, Supplier<PartitionHistory> history);

  /** The partition's history as of the last committed write. Never blocks. */
  PartitionHistory history(int partition);

  /**
   * Passes every entry of {@code partition} to {@code each} from one consistent read snapshot, and
   * returns the partition's history in that same snapshot: the copy holds exactly the records up to
   * its sequence.
   */
  PartitionHistory snapshot(int partition, Consumer<KeyValue> each);

  /** The op-log position recorded by the last {@link #apply}, 0 for a new store. */
  long appliedPosition();

  /**
   * The engine's space as of its last {@link #apply} (or its opening): read from memory, cheap and
   * never blocking, so a metrics scrape on an event loop may call it.
   */
  SpaceUsage space();

  /**
   * Forces everything applied so far to disk and returns the position it covers; op-log records up
   * to that position are no longer needed for recovery.
   */
  long sync();

  @Override
  void close();
}
