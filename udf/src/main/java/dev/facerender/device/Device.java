package dev.facerender.device;

/**
 * A device as the sizer and the renderer see it: its memory now, its peak memory since the last
 * reset, and hooks around each batch. Shared by the tasks of an executor; thread-safe.
 */
public interface Device {
  /** Stable id, e.g. {@code cpu}, {@code cuda:1} or {@code sim-gpu:0}. */
  String id();

  DeviceKind kind();

  /** The libtorch device index, -1 on CPU. */
  int index();

  /**
   * Where the model and each batch's tensors live, as libtorch names it: {@code cuda:N} for a GPU,
   * {@code cpu} otherwise (a simulated GPU renders on the CPU).
   */
  default String torchDevice() {
    return "cpu";
  }

  long totalBytes();

  /** Bytes free right now. */
  long freeBytes();

  /** Starts a peak-memory measurement for the calling thread's next batch. */
  void resetPeak();

  /** Peak bytes the batch since {@link #resetPeak} needed, or -1 when unknown. */
  long peakBytes();

  /** Frees cached device memory (before a retry after an OOM). */
  void emptyCache();

  /**
   * Called right before a batch of {@code frames} frames of {@code pixels} pixels each runs; may
   * throw an out-of-memory error (simulated devices). Must be paired with {@link #afterBatch}.
   */
  default void beforeBatch(int frames, long pixels) {}

  default void afterBatch() {}

  /**
   * Called when a batch's tensors are computed, before they are read back; may throw an
   * out-of-memory error when the batch's measured peak passed the device's budget (a CPU with a
   * fixed budget). The batch's results are then dropped and it is split like any OOM.
   */
  default void checkBatch(int frames, long pixels) {}

  /**
   * The time a batch took on this device, from the measured wall time. Simulated devices return
   * their model's time: the CPU's speed curve says nothing about a GPU's.
   */
  default long batchNanos(int frames, long pixels, long measuredNanos) {
    return measuredNanos;
  }
}
