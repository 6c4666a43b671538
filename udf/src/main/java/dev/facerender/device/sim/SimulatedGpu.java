package dev.facerender.device.sim;

import dev.facerender.device.Device;
import dev.facerender.device.DeviceKind;
import dev.facerender.device.GpuReserve;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A GPU that exists as a model: {@link DeviceMemory} (total, CUDA context, other processes, free
 * bytes as {@code cudaMemGetInfo} says), {@link CachingAllocator} (PyTorch's allocator: pools,
 * rounding, segments, best fit, fragmentation, statistics) and {@link RendererWorkload} (what a
 * SadTalker-class renderer allocates: weights once when a model is loaded, a forward pass per
 * batch). A batch that does not fit fails exactly where the allocator would, with libtorch's
 * message. Rendering itself runs on the CPU; the reported batch time is this model's, shaped like a
 * GPU's (a launch cost, then cheap frames), because the CPU's speed curve says nothing about a
 * GPU's.
 */
public final class SimulatedGpu implements Device {
  /**
   * The CUDA context: driver state and the kernels of libtorch, cuBLAS and cuDNN. No allocator
   * statistic shows it and its size depends on the GPU, driver and CUDA version (hundreds of MiB);
   * this is an assumption until bench/gpu-probe.py's "used before any tensor" replaces it.
   */
  public static final long CONTEXT_BYTES = 512L << 20;

  /** Streams per device in libtorch's pool ({@code kStreamsPerPool} in CUDAStream.cpp). */
  public static final int POOLED_STREAMS = 32;

  /**
   * What cuDNN and cuBLAS take per batch with {@code cudaMalloc}, outside the caching allocator
   * (handles, the heuristics' and lazily loaded kernels' memory): an assumption, as the context is.
   * When it cannot be had the process dies ({@link LibraryCrash}), as it did on an H200.
   */
  public static final long LIBRARY_BYTES = 768L << 20;

  private static final long LAUNCH_NANOS = 4_000_000;
  private static final long FRAME_NANOS_256 = 250_000;

  private final String id;
  private final int index;
  private final DeviceMemory memory;
  private final CachingAllocator allocator;
  private final RendererWorkload workload;

  /** Guarded by {@code this}: models whose weights are resident, and their blocks. */
  private final Set<String> loaded = new HashSet<>();

  private final List<CachingAllocator.Block> weights = new ArrayList<>();

  private final AtomicLong nextStream = new AtomicLong();

  /** Guarded by {@code this}: the allocator's cap, set at the first batch; -1 before. */
  private long capBytes = -1;

  /** The output of the calling thread's batch, freed when the batch ends. */
  private final ThreadLocal<CachingAllocator.Block> output = new ThreadLocal<>();

  public SimulatedGpu(String id, int index, GpuSpec spec) {
    this.id = id;
    this.index = index;
    this.memory =
        new DeviceMemory(index, spec.totalBytes(), spec.contextBytes(), spec.otherProcessBytes());
    this.allocator = new CachingAllocator(memory);
    this.workload = new RendererWorkload(spec.weightBytes());
  }

  /** The device's memory, to let another process take or give back some of it. */
  public DeviceMemory memory() {
    return memory;
  }

  /** The allocator, for tests that hold a tensor across batches as other code may. */
  public CachingAllocator allocator() {
    return allocator;
  }

  public long weightBytes() {
    return workload.weightBytes();
  }

  @Override
  public String id() {
    return id;
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
    return memory.totalBytes();
  }

  @Override
  public long freeBytes() {
    return memory.freeBytes();
  }

  @Override
  public long allocatedBytes() {
    return allocator.allocatedBytes();
  }

  @Override
  public long reservedBytes() {
    return allocator.reservedBytes();
  }

  @Override
  public void resetPeak() {
    allocator.resetPeak();
  }

  @Override
  public long peakAllocatedBytes() {
    return allocator.peakAllocatedBytes();
  }

  @Override
  public void emptyCache() {
    allocator.emptyCache();
  }

  /**
   * A stream from a pool of {@link #POOLED_STREAMS} handed out in turn, as {@code
   * c10::cuda::getStreamFromPool} hands out its low-priority streams: entering it makes it the
   * allocator's current stream for the calling thread, and leaving restores the previous one.
   * Batches are modelled, not queued, so waiting on it returns at once.
   */
  @Override
  public TaskStream openTaskStream() {
    int stream = 1 + (int) (nextStream.getAndIncrement() % POOLED_STREAMS);
    return new TaskStream() {
      @Override
      public StreamScope enter() {
        return allocator.useStream(stream);
      }

      @Override
      public void synchronize() {}

      @Override
      public void close() {}
    };
  }

  /** The renderer's weights become resident once per model, as {@code module.to(device)} does. */
  @Override
  public synchronized void modelLoaded(String spec) {
    if (loaded.add(spec)) {
      weights.addAll(workload.loadWeights(allocator));
    }
  }

  /**
   * Caps the allocator before the first batch as the CUDA device does ({@link GpuReserve}); then
   * the pass, and the libraries' memory outside the allocator, which must be there.
   */
  @Override
  public void beforeBatch(int frames, long pixels) {
    synchronized (this) {
      if (loaded.isEmpty()) {
        throw new IllegalStateException(
            id + ": a batch ran before any model was loaded onto the device (call modelLoaded)");
      }
      if (capBytes < 0) {
        capBytes = GpuReserve.capBytes(memory.totalBytes(), memory.freeBytes(), reservedBytes());
        allocator.setMemoryFraction(capBytes / (double) memory.totalBytes());
      }
    }
    output.set(workload.forward(allocator, frames, pixels));
    // The libraries allocate with cudaMalloc mid-pass, while the pass's segments are still the
    // allocator's (cached, not returned to the device): what the allocator leaves is what they get.
    if (!memory.cudaMalloc(LIBRARY_BYTES)) {
      afterBatch();
      throw new LibraryCrash(
          id
              + ": cuDNN found "
              + DeviceMemory.human(memory.freeBytes())
              + " free for its own "
              + DeviceMemory.human(LIBRARY_BYTES)
              + ": the process would die here (SIGSEGV), not raise an OOM");
    }
    memory.cudaFree(LIBRARY_BYTES);
  }

  @Override
  public long plannableBytes() {
    long cap;
    synchronized (this) {
      cap = capBytes;
    }
    return GpuReserve.plannableBytes(
        memory.totalBytes(), cap, memory.freeBytes(), reservedBytes(), allocatedBytes());
  }

  /**
   * A process death a real GPU would give (an {@link Error}, which no split-and-retry catches): a
   * test that meets one has planned into the memory the libraries need.
   */
  public static final class LibraryCrash extends Error {
    private static final long serialVersionUID = 1L;

    LibraryCrash(String message) {
      super(message);
    }
  }

  @Override
  public void afterBatch() {
    CachingAllocator.Block out = output.get();
    output.remove();
    if (out != null) {
      allocator.free(out);
    }
  }

  @Override
  public boolean modelsTime() {
    return true;
  }

  @Override
  public long batchNanos(int frames, long pixels, long measuredNanos) {
    return LAUNCH_NANOS + (long) (frames * FRAME_NANOS_256 * pixels / (256.0 * 256.0));
  }
}
