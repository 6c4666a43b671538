package dev.facerender.device;

/**
 * Headroom on a GPU that Facerender's caching allocator never takes: what cuDNN and cuBLAS take
 * outside it (their handles, the heuristics' and lazily loaded kernels' memory). A batch planned
 * into that space does not fail with a catchable OOM: on an H200 a calibration at 140.5 of 143.8 GB
 * (2.3% left) killed the JVM with SIGSEGV inside {@code libcudnn_heuristic.so.9}
 * (../shared/FACTS.md, 2026-12-04). At a device's first batch the allocator is capped ({@code
 * CUDAAllocator.setMemoryFraction}) at what it holds plus what is free then, less the headroom: the
 * CUDA context and other processes are already outside the free bytes, so the cap is measured, not
 * assumed. A batch that would pass the cap raises the allocator's OOM, which split-and-retry
 * handles, and sizing plans below it.
 */
public final class GpuReserve {
  /** At least this much: a small GPU's libraries need as much as a large one's. */
  static final long MIN_BYTES = 1L << 30;

  /**
   * A share of the total, twice the 2.3% the crash left, so the measured failure is well outside
   * it: 7.2 GB on a 143.8 GB H200, 4 GB on an 80 GB H100, the minimum on 16 GB.
   */
  static final double SHARE = 0.05;

  private GpuReserve() {}

  /** The headroom kept on a GPU of {@code totalBytes}. */
  public static long headroomBytes(long totalBytes) {
    return Math.min(totalBytes / 2, Math.max(MIN_BYTES, (long) (totalBytes * SHARE)));
  }

  /** The cap on the allocator's reserved bytes, from what it holds and what is free now. */
  public static long capBytes(long totalBytes, long freeBytes, long reservedBytes) {
    return Math.max(0, reservedBytes + freeBytes - headroomBytes(totalBytes));
  }

  /**
   * What a batch could get: the device's free bytes, but no more than the cap leaves beyond what
   * the allocator holds, plus what it caches without using. {@code capBytes} < 0: no cap yet, the
   * one the first batch will set is assumed.
   */
  public static long plannableBytes(
      long totalBytes, long capBytes, long freeBytes, long reserved, long allocated) {
    long cap = capBytes >= 0 ? capBytes : capBytes(totalBytes, freeBytes, reserved);
    return Math.max(0, Math.min(freeBytes, cap - reserved)) + Math.max(0, reserved - allocated);
  }
}
