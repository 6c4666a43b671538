package dev.facerender.device.sim;

/**
 * The sizes PyTorch's CUDA caching allocator works in, from the constants of {@code
 * c10/core/AllocatorConfig.h} (before 2.8 in {@code c10/cuda/CUDACachingAllocator.cpp}): 512-byte
 * blocks, a small pool for requests up to 1 MiB in 2 MiB segments, a large pool in 20 MiB segments
 * below 10 MiB and in 2 MiB steps above. {@link CachingAllocator} keeps its pools by them.
 */
final class AllocatorSizes {
  static final long MIN_BLOCK_SIZE = 512;
  static final long SMALL_SIZE = 1L << 20;
  static final long SMALL_BUFFER = 2L << 20;
  static final long LARGE_BUFFER = 20L << 20;
  static final long MIN_LARGE_ALLOC = 10L << 20;
  static final long ROUND_LARGE = 2L << 20;

  private AllocatorSizes() {}

  /** {@code bytes} rounded up to the allocator's 512-byte blocks. */
  static long roundSize(long bytes) {
    return Math.max(MIN_BLOCK_SIZE, (bytes + MIN_BLOCK_SIZE - 1) / MIN_BLOCK_SIZE * MIN_BLOCK_SIZE);
  }

  /** Whether a rounded request comes from the small pool. */
  static boolean isSmall(long rounded) {
    return rounded <= SMALL_SIZE;
  }

  /** The segment {@code cudaMalloc} is asked for when no cached block fits a rounded request. */
  static long segmentSize(long rounded) {
    if (isSmall(rounded)) {
      return SMALL_BUFFER;
    }
    if (rounded < MIN_LARGE_ALLOC) {
      return LARGE_BUFFER;
    }
    return (rounded + ROUND_LARGE - 1) / ROUND_LARGE * ROUND_LARGE;
  }

  /**
   * Whether what is left of a cached block after a request is split off and stays cached: at least
   * one block in the small pool, more than 1 MiB in the large one.
   */
  static boolean splits(boolean small, long remaining) {
    return small ? remaining >= MIN_BLOCK_SIZE : remaining > SMALL_SIZE;
  }
}
