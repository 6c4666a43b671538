package dev.facerender.device;

import dev.facerender.retry.OutOfMemoryErrors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A GPU that exists only in memory bookkeeping, for tests and for anyone without one. Each batch is
 * charged by a hidden cost model of its own (deliberately not the sizer's formula: a per-frame cost
 * that grows with the batch, plus a fixed workspace), and one that does not fit in what is free
 * throws exactly what libtorch's CUDA allocator throws. Rendering itself runs on the CPU; the
 * reported batch time is the model's, shaped like a GPU's (a launch cost, then cheap frames).
 */
public final class SimulatedGpu implements Device {
  /** Memory the CUDA context and libraries take before any tensor. */
  static final long CONTEXT_BYTES = 512L << 20;

  /** Weights of a SadTalker-class renderer, resident once the first batch ran. */
  static final long MODEL_BYTES = 1100L << 20;

  /** Workspace every batch needs whatever its size (convolution scratch, grids). */
  static final long WORKSPACE_BYTES = 200L << 20;

  /** Activation bytes per frame at 256x256, the figure the original write-up guessed. */
  static final double BYTES_PER_FRAME_256 = 150.0 * (1 << 20);

  /** Beyond this many frames per batch, fragmentation adds a growing share per frame. */
  static final double GROWTH_FRAMES = 512.0;

  private static final long LAUNCH_NANOS = 4_000_000;
  private static final long FRAME_NANOS_256 = 250_000;

  private final int index;
  private final long totalBytes;
  private final AtomicLong inFlight = new AtomicLong();
  private volatile long resident;
  private final ThreadLocal<Long> charged = ThreadLocal.withInitial(() -> 0L);
  private final ThreadLocal<Long> peak = ThreadLocal.withInitial(() -> -1L);

  public SimulatedGpu(int index, long totalBytes) {
    if (totalBytes <= CONTEXT_BYTES + MODEL_BYTES + WORKSPACE_BYTES) {
      throw new IllegalArgumentException(
          "a simulated GPU needs more than "
              + (CONTEXT_BYTES + MODEL_BYTES + WORKSPACE_BYTES)
              + " bytes (context, model and workspace), got "
              + totalBytes);
    }
    this.index = index;
    this.totalBytes = totalBytes;
  }

  /** What the simulation charges a batch on top of the weights: the hidden truth to discover. */
  public static long batchCost(int frames, long pixels) {
    double perFrame = BYTES_PER_FRAME_256 * pixels / (256.0 * 256.0);
    return WORKSPACE_BYTES + (long) (frames * perFrame * (1.0 + frames / GROWTH_FRAMES));
  }

  /** The largest batch that fits alone on a simulated GPU of {@code totalBytes}, by bisection. */
  public static int largestFit(long totalBytes, long pixels) {
    long free = totalBytes - CONTEXT_BYTES - MODEL_BYTES;
    int lo = 0;
    int hi = 1;
    while (batchCost(hi, pixels) <= free) {
      lo = hi;
      hi *= 2;
    }
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (batchCost(mid, pixels) <= free) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  @Override
  public String id() {
    return "sim-gpu:" + index;
  }

  @Override
  public DeviceKind kind() {
    return DeviceKind.SIMULATED_GPU;
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public long totalBytes() {
    return totalBytes;
  }

  @Override
  public long freeBytes() {
    return totalBytes - CONTEXT_BYTES - resident - inFlight.get();
  }

  @Override
  public void resetPeak() {
    peak.set(-1L);
  }

  @Override
  public long peakBytes() {
    return peak.get();
  }

  @Override
  public void emptyCache() {
    // Nothing is cached between batches in the simulation.
  }

  @Override
  public void beforeBatch(int frames, long pixels) {
    resident = MODEL_BYTES;
    long cost = batchCost(frames, pixels);
    long before = inFlight.addAndGet(cost) - cost;
    long free = totalBytes - CONTEXT_BYTES - MODEL_BYTES - before;
    if (cost > free) {
      inFlight.addAndGet(-cost);
      throw new RuntimeException(
          OutOfMemoryErrors.cudaMessage(cost, index, totalBytes, Math.max(0, free)));
    }
    charged.set(cost);
    peak.set(Math.max(peak.get(), MODEL_BYTES + cost));
  }

  @Override
  public void afterBatch() {
    inFlight.addAndGet(-charged.get());
    charged.set(0L);
  }

  @Override
  public long batchNanos(int frames, long pixels, long measuredNanos) {
    return LAUNCH_NANOS + (long) (frames * FRAME_NANOS_256 * pixels / (256.0 * 256.0));
  }
}
