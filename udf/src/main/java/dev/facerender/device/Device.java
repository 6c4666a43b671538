package dev.facerender.device;

/**
 * A device as the sizer and the renderer see it, in the caching allocator's terms: what is free on
 * the device now, what this JVM's tensors occupy (allocated) and what its allocator holds from the
 * device (reserved: allocated plus cached), the allocator's peak, and hooks around each batch.
 * Shared by the tasks of an executor; thread-safe. Peaks are device-wide, as libtorch keeps them:
 * {@link BatchPeaks} turns them into one batch's own.
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

  /**
   * Bytes free on the device right now, outside every process's use ({@code cudaMemGetInfo}): what
   * this JVM's allocator caches is not in it.
   */
  long freeBytes();

  /** Bytes this JVM's live tensors occupy on the device now. */
  long allocatedBytes();

  /** Bytes this JVM's allocator holds from the device: allocated plus cached, never less. */
  long reservedBytes();

  /** Starts a new peak: the allocator's peak of allocated bytes drops to what is allocated now. */
  void resetPeak();

  /** The allocator's peak of allocated bytes since {@link #resetPeak}, or -1 when unknown. */
  long peakAllocatedBytes();

  /**
   * Returns cached, unused device memory to the device. Costly on a GPU (each segment's {@code
   * cudaFree} waits for the device): never inside a timed run, never as routine between batches.
   */
  void emptyCache();

  /**
   * Waits until the work queued on the calling thread's current stream of this device is done
   * (no-op on a CPU). A task's batches run on its own stream: wait on that ({@link
   * TaskStream#synchronize}).
   */
  default void synchronize() {}

  /**
   * A stream of this device's own for one task's whole life (a GPU's pooled stream): every batch
   * and calibration run of the task enters it, so the caching allocator, which reuses a freed block
   * only on the stream that freed it, hands each batch the blocks of the one before. A no-op stream
   * where the device has none. The caller closes it once its last batch finished.
   */
  default TaskStream openTaskStream() {
    return TaskStream.NONE;
  }

  /** One task's stream of a device: see {@link #openTaskStream}. */
  interface TaskStream extends AutoCloseable {
    /** A device without streams: entering and waiting do nothing. */
    TaskStream NONE =
        new TaskStream() {
          @Override
          public StreamScope enter() {
            return () -> {};
          }

          @Override
          public void synchronize() {}

          @Override
          public void close() {}
        };

    /**
     * Makes this stream current for the calling thread until the returned scope closes, which
     * restores the thread's previous stream.
     */
    StreamScope enter();

    /** Waits until every batch queued on this stream, from any thread, is done. */
    void synchronize();

    /** Gives the stream back; idempotent. */
    @Override
    void close();
  }

  /** What {@link TaskStream#enter} returns: closing it restores the thread's previous stream. */
  interface StreamScope extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Whether {@link #batchNanos} models a batch's time instead of returning the measured one: a
   * simulated GPU, whose clock calibration then reads.
   */
  default boolean modelsTime() {
    return false;
  }

  /**
   * What this JVM could give a batch now: the device's free bytes plus what its allocator caches
   * without using. Weights and other live tensors are in neither, so they are counted once.
   */
  default long plannableBytes() {
    return freeBytes() + Math.max(0, reservedBytes() - allocatedBytes());
  }

  /**
   * Called whenever a task gets model {@code spec} on this device, the first time once it is
   * loaded; a spec counts once however often it is called. Real devices see the weights in their
   * allocator already; a simulated one places its modelled weights here.
   */
  default void modelLoaded(String spec) {}

  /**
   * Called right before a batch of {@code frames} frames of {@code pixels} pixels each runs; may
   * throw an out-of-memory error (simulated devices). Must be paired with {@link #afterBatch}.
   */
  default void beforeBatch(int frames, long pixels) {}

  default void afterBatch() {}

  /**
   * Called when a batch is done with its own peak ({@code peakBytes}, -1 unknown); may throw an
   * out-of-memory error when that peak passed the device's budget (a CPU with a fixed budget). The
   * batch's results are then dropped and it is split like any OOM.
   */
  default void checkBatch(int frames, long pixels, long peakBytes) {}

  /**
   * The time a batch took on this device, from the measured wall time. Simulated devices return
   * their model's time: the CPU's speed curve says nothing about a GPU's.
   */
  default long batchNanos(int frames, long pixels, long measuredNanos) {
    return measuredNanos;
  }

  /** CUDA device {@code index} (the caller has checked that this process's libtorch can use it). */
  static Device cuda(int index) {
    return new CudaDevice(index);
  }
}
