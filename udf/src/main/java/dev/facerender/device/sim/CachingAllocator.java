package dev.facerender.device.sim;

import dev.facerender.device.Device;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A model of PyTorch's CUDA caching allocator ({@code c10/cuda/CUDACachingAllocator.cpp}) for one
 * device, written from its documented behaviour, not from the sizer:
 *
 * <ul>
 *   <li>Sizes by {@link AllocatorSizes}. Every request is rounded up to a multiple of 512 bytes
 *       ({@code kMinBlockSize}).
 *   <li>Requests of at most 1 MiB ({@code kSmallSize}) come from the small pool, whose segments are
 *       2 MiB ({@code kSmallBuffer}); larger ones from the large pool. A large request below 10 MiB
 *       ({@code kMinLargeAlloc}) that finds no cached block gets a 20 MiB segment ({@code
 *       kLargeBuffer}); from 10 MiB up the segment is the request rounded up to 2 MiB ({@code
 *       kRoundLarge}).
 *   <li>A request takes the smallest cached free block of its pool that fits (best fit); the rest
 *       of the block is split off and stays cached if it is at least 512 bytes (small pool) or more
 *       than 1 MiB (large pool), otherwise the whole block is handed out.
 *   <li>Streams: a request is served on the calling thread's current stream ({@link #useStream};
 *       stream 0, the default stream, otherwise). A segment belongs to the stream that cut it, and
 *       a free block is reused only by a request on that stream: the allocator's block pools are
 *       searched with the stream as part of the key ({@code BlockComparatorSize} compares {@code
 *       stream} first), so a block freed on stream A is never handed to stream B.
 *   <li>A freed block merges with free neighbours of its own segment; segments stay reserved
 *       (cached) until {@link #emptyCache} returns the wholly free ones to the device.
 *   <li>A memory fraction ({@code setMemoryFraction}) caps what the allocator reserves: a segment
 *       that would take its reserved bytes past {@code fraction x total} is refused as if {@code
 *       cudaMalloc} had failed ({@code allowed_memory_maximum} in CUDACachingAllocator.cpp).
 *   <li>When {@code cudaMalloc} fails the allocator returns its wholly free cached segments, of
 *       every stream ({@code release_cached_blocks}), to the device and tries once more (with the
 *       default, unlimited {@code max_split_size} there is no cheaper partial release); then it
 *       raises "CUDA out of memory".
 * </ul>
 *
 * Sources: the constants and their comments in {@code c10/core/AllocatorConfig.h} (before 2.8 in
 * {@code c10/cuda/CUDACachingAllocator.cpp}), the header comment of {@code
 * CUDACachingAllocator.cpp}, and PyTorch's "CUDA semantics, memory management" notes (allocated vs
 * reserved, {@code empty_cache}, fragmentation). Fragmentation therefore falls out of the model: a
 * request can fail while the device's free bytes plus the cache's free bytes add up to more than
 * it, when no single cached block is big enough and the free bytes outside the cache are too few.
 * Thread-safe; every method holds the allocator's lock, as the real one holds its mutex.
 */
public final class CachingAllocator {
  /** A part of a segment, free (cached) or handed out. */
  public static final class Block {
    private final Segment segment;
    private final long offset;
    private long size;
    private boolean allocated;
    private Block prev;
    private Block next;

    private Block(Segment segment, long offset, long size) {
      this.segment = segment;
      this.offset = offset;
      this.size = size;
    }

    /** The block's size: the request rounded as the allocator rounds it. */
    public long size() {
      return size;
    }
  }

  private static final class Segment {
    private final long id;
    private final long size;
    private final boolean small;
    private final int stream;

    private Segment(long id, long size, boolean small, int stream) {
      this.id = id;
      this.size = size;
      this.small = small;
      this.stream = stream;
    }
  }

  private static final Comparator<Block> BEST_FIT =
      Comparator.comparingLong((Block b) -> b.size)
          .thenComparingLong(b -> b.segment.id)
          .thenComparingLong(b -> b.offset);

  private final DeviceMemory memory;

  /** Free blocks by (stream, pool): key {@code stream * 2 + (small ? 1 : 0)}. */
  private final Map<Long, TreeSet<Block>> pools = new HashMap<>();

  private final java.util.Set<Integer> segmentStreams = new java.util.HashSet<>();
  private final ThreadLocal<Integer> currentStream = ThreadLocal.withInitial(() -> 0);
  private long segments;
  private long allocated;
  private long reserved;
  private long peakAllocated;
  private long fragmentationOoms;
  private long allowedBytes = Long.MAX_VALUE;

  public CachingAllocator(DeviceMemory memory) {
    this.memory = memory;
  }

  /** Hands out a block for {@code bytes}, or throws what libtorch throws when it cannot. */
  public synchronized Block malloc(long bytes) {
    long size = AllocatorSizes.roundSize(bytes);
    boolean small = AllocatorSizes.isSmall(size);
    int stream = currentStream.get();
    TreeSet<Block> pool = pool(stream, small);
    Block probe = new Block(new Segment(-1, 0, small, stream), -1, size);
    Block block = pool.ceiling(probe);
    if (block != null) {
      pool.remove(block);
    } else {
      block = newSegment(size, small, stream, bytes);
    }
    long remaining = block.size - size;
    if (AllocatorSizes.splits(small, remaining)) {
      Block rest = new Block(block.segment, block.offset + size, remaining);
      rest.prev = block;
      rest.next = block.next;
      if (block.next != null) {
        block.next.prev = rest;
      }
      block.next = rest;
      block.size = size;
      pool.add(rest);
    }
    block.allocated = true;
    allocated += block.size;
    peakAllocated = Math.max(peakAllocated, allocated);
    return block;
  }

  /** Returns {@code block} to its pool, merged with its free neighbours. */
  public synchronized void free(Block block) {
    if (!block.allocated) {
      throw new IllegalStateException("block freed twice");
    }
    block.allocated = false;
    allocated -= block.size;
    TreeSet<Block> pool = pool(block.segment.stream, block.segment.small);
    Block merged = block;
    if (merged.prev != null && !merged.prev.allocated) {
      Block p = merged.prev;
      pool.remove(p);
      p.size += merged.size;
      p.next = merged.next;
      if (merged.next != null) {
        merged.next.prev = p;
      }
      merged = p;
    }
    if (merged.next != null && !merged.next.allocated) {
      Block n = merged.next;
      pool.remove(n);
      merged.size += n.size;
      merged.next = n.next;
      if (n.next != null) {
        n.next.prev = merged;
      }
    }
    pool.add(merged);
  }

  /** Returns every wholly free cached segment to the device ({@code torch.cuda.empty_cache}). */
  public synchronized void emptyCache() {
    pools.values().forEach(this::release);
  }

  /**
   * Makes {@code stream} the calling thread's current stream until the scope closes, which restores
   * the one before ({@code c10::cuda::CUDAStreamGuard}).
   */
  public Device.StreamScope useStream(int stream) {
    int previous = currentStream.get();
    currentStream.set(stream);
    return () -> currentStream.set(previous);
  }

  /** The calling thread's current stream (0: the default stream). */
  public int currentStream() {
    return currentStream.get();
  }

  private TreeSet<Block> pool(int stream, boolean small) {
    return pools.computeIfAbsent(stream * 2L + (small ? 1 : 0), k -> new TreeSet<>(BEST_FIT));
  }

  public synchronized long allocatedBytes() {
    return allocated;
  }

  public synchronized long reservedBytes() {
    return reserved;
  }

  public synchronized long peakAllocatedBytes() {
    return peakAllocated;
  }

  /** {@code torch.cuda.reset_peak_memory_stats}: the peak restarts from what is allocated now. */
  public synchronized void resetPeak() {
    peakAllocated = allocated;
  }

  /**
   * Segments taken from the device so far ({@code cudaMalloc} calls that succeeded), as PyTorch's
   * {@code memory_stats()["segment.all.allocated"]} counts them.
   */
  public synchronized long segmentsAllocated() {
    return segments;
  }

  /** The streams whose requests took segments from the device so far. */
  public synchronized java.util.SortedSet<Integer> streamsWithSegments() {
    return new java.util.TreeSet<>(segmentStreams);
  }

  /** OOMs raised while the device's and the cache's free bytes together would have been enough. */
  public synchronized long fragmentationOoms() {
    return fragmentationOoms;
  }

  /** Caps reserved bytes at {@code fraction} of the device's total; 1 lifts the cap. */
  public synchronized void setMemoryFraction(double fraction) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("memory fraction must be in (0, 1], got " + fraction);
    }
    allowedBytes = (long) (fraction * memory.totalBytes());
  }

  private boolean takeSegment(long segmentSize) {
    return reserved + segmentSize <= allowedBytes && memory.cudaMalloc(segmentSize);
  }

  private Block newSegment(long size, boolean small, int stream, long requested) {
    long segmentSize = AllocatorSizes.segmentSize(size);
    if (!takeSegment(segmentSize)) {
      emptyCache();
      if (!takeSegment(segmentSize)) {
        throw outOfMemory(requested);
      }
    }
    reserved += segmentSize;
    Segment segment = new Segment(segments++, segmentSize, small, stream);
    segmentStreams.add(stream);
    return new Block(segment, 0, segmentSize);
  }

  private void release(TreeSet<Block> pool) {
    var wholeSegments = pool.stream().filter(b -> b.prev == null && b.next == null).toList();
    for (Block b : wholeSegments) {
      pool.remove(b);
      memory.cudaFree(b.segment.size);
      reserved -= b.segment.size;
    }
  }

  private RuntimeException outOfMemory(long requested) {
    long free = memory.freeBytes();
    long cachedFree = reserved - allocated;
    if (free + cachedFree >= AllocatorSizes.roundSize(requested)) {
      fragmentationOoms++;
    }
    // The wording of c10's OutOfMemoryError, so that the same code recognises both.
    return new RuntimeException(
        String.format(
            Locale.ROOT,
            "CUDA out of memory. Tried to allocate %s. GPU %d has a total capacity of %s of which"
                + " %s is free. Of the allocated memory %s is allocated by PyTorch, and %s is"
                + " reserved by PyTorch but unallocated. If reserved but unallocated memory is"
                + " large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid"
                + " fragmentation.",
            DeviceMemory.human(requested),
            memory.index(),
            DeviceMemory.human(memory.totalBytes()),
            DeviceMemory.human(free),
            DeviceMemory.human(allocated),
            DeviceMemory.human(cachedFree)));
  }
}
