package dev.facerender.device.sim;

/**
 * What to simulate: the device, what else is on it, and the renderer's weights; and what fits on
 * such a device when a batch has it alone, found by running the simulation.
 */
public record GpuSpec(
    long totalBytes, long contextBytes, long otherProcessBytes, long weightBytes) {
  public GpuSpec {
    if (totalBytes <= contextBytes + otherProcessBytes + weightBytes) {
      throw new IllegalArgumentException(
          "a simulated GPU of "
              + DeviceMemory.human(totalBytes)
              + " cannot hold its context, other processes and "
              + DeviceMemory.human(weightBytes)
              + " of weights");
    }
  }

  /** A GPU of {@code totalBytes} with the assumed context and a SadTalker-class renderer. */
  public static GpuSpec of(long totalBytes) {
    return new GpuSpec(
        totalBytes, SimulatedGpu.CONTEXT_BYTES, 0, RendererWorkload.SADTALKER_WEIGHT_BYTES);
  }

  /**
   * The largest batch of {@code pixels}-pixel frames that runs alone on a fresh GPU of this spec,
   * by bisection (0 if none).
   */
  public int largestFit(long pixels, int limit) {
    int lo = 0;
    int hi = limit + 1;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (fits(pixels, mid)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private boolean fits(long pixels, int frames) {
    SimulatedGpu gpu = new SimulatedGpu("sim-gpu:bisection", 0, this);
    gpu.modelLoaded("bisection");
    try {
      gpu.beforeBatch(frames, pixels);
      gpu.afterBatch();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
