package dev.facerender.device;

import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.pytorch.Stream;
import org.bytedeco.pytorch.cuda.CUDAAllocator;
import org.bytedeco.pytorch.cuda.CUDAStream;
import org.bytedeco.pytorch.cuda.CUDAStreamGuard;
import org.bytedeco.pytorch.cuda.DeviceStats;
import org.bytedeco.pytorch.global.torch_cuda;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CUDA GPU, read through the CUDA presets ({@code cudaMemGetInfo}: free bytes of the device) and
 * libtorch's caching allocator ({@code c10::cuda::CUDACachingAllocator}'s device stats: allocated
 * and reserved bytes, their peak, reset and empty cache). Only constructed after the runtime's
 * {@code Devices} found a working CUDA runtime.
 */
final class CudaDevice implements Device {
  private static final Logger LOG = LoggerFactory.getLogger(CudaDevice.class);

  private final int index;
  private final long totalBytes;

  /** The allocator's cap in bytes once the first batch set it, -1 before. */
  private volatile long capBytes = -1;

  CudaDevice(int index) {
    this.index = index;
    this.totalBytes = memInfo()[1];
  }

  /** Sizing sees only what the allocator may hand out under its cap ({@link GpuReserve}). */
  @Override
  public long plannableBytes() {
    return GpuReserve.plannableBytes(
        totalBytes, capBytes, freeBytes(), reservedBytes(), allocatedBytes());
  }

  /**
   * Caps the allocator before the first batch, not in the constructor: libtorch creates a device's
   * allocator state lazily, with the first tensor (the model's weights), and refuses the cap
   * before.
   */
  @Override
  public void beforeBatch(int frames, long pixels) {
    if (capBytes < 0) {
      synchronized (this) {
        if (capBytes < 0) {
          capBytes = applyCap();
        }
      }
    }
  }

  private long applyCap() {
    long cap = GpuReserve.capBytes(totalBytes, freeBytes(), reservedBytes());
    try {
      allocator().setMemoryFraction(cap / (double) totalBytes, (byte) index);
      LOG.info(
          "{}: the caching allocator may hold {} MiB; {} MiB stay free for cuDNN and cuBLAS",
          id(),
          cap >> 20,
          GpuReserve.headroomBytes(totalBytes) >> 20);
    } catch (RuntimeException e) {
      // Sizing still plans below the cap (plannableBytes); only the allocator's own guard is
      // missing, so say so once instead of failing the batch.
      LOG.warn("{}: could not cap the caching allocator: {}", id(), e.getMessage());
    }
    return cap;
  }

  @Override
  public String id() {
    return "cuda:" + index;
  }

  @Override
  public DeviceKind kind() {
    return DeviceKind.CUDA;
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public String torchDevice() {
    return "cuda:" + index;
  }

  @Override
  public long totalBytes() {
    return totalBytes;
  }

  @Override
  public long freeBytes() {
    return memInfo()[0];
  }

  @Override
  public long allocatedBytes() {
    try (DeviceStats stats = stats()) {
      return stats.allocated_bytes().current();
    }
  }

  @Override
  public long reservedBytes() {
    try (DeviceStats stats = stats()) {
      return stats.reserved_bytes().current();
    }
  }

  @Override
  public void resetPeak() {
    allocator().resetPeakStats((byte) index);
  }

  @Override
  public long peakAllocatedBytes() {
    try (DeviceStats stats = stats()) {
      return stats.allocated_bytes().peak();
    }
  }

  /** Waits for the work queued on the calling thread's current stream of this GPU. */
  @Override
  public void synchronize() {
    try (CUDAStream stream = torch_cuda.getCurrentCUDAStream((byte) index)) {
      stream.synchronize();
    }
  }

  /**
   * A stream from libtorch's pool, held for the task's life: tasks sharing the GPU queue their
   * kernels side by side instead of one after another on the default stream, and each task's
   * batches reuse the blocks its earlier batches freed (the allocator keeps free blocks per
   * stream). Pooled streams do not wait for the default stream nor it for them, so a timing waits
   * on this stream ({@link TaskStream#synchronize}), never on the current one after the guard
   * closed.
   */
  @Override
  public TaskStream openTaskStream() {
    CUDAStream pooled = torch_cuda.getStreamFromPool(false, (byte) index);
    Stream stream = pooled.unwrap();
    return new TaskStream() {
      private boolean closed;

      @Override
      public StreamScope enter() {
        CUDAStreamGuard guard = new CUDAStreamGuard(stream);
        return guard::close;
      }

      @Override
      public void synchronize() {
        pooled.synchronize();
      }

      @Override
      public synchronized void close() {
        if (!closed) {
          closed = true;
          stream.close();
          pooled.close();
        }
      }
    };
  }

  @Override
  public void emptyCache() {
    allocator().emptyCache();
  }

  private long[] memInfo() {
    synchronized (CudaDevice.class) {
      check(cudart.cudaSetDevice(index), "cudaSetDevice");
      try (SizeTPointer free = new SizeTPointer(1);
          SizeTPointer total = new SizeTPointer(1)) {
        check(cudart.cudaMemGetInfo(free, total), "cudaMemGetInfo");
        return new long[] {free.get(), total.get()};
      }
    }
  }

  /**
   * The allocator's statistics, a native copy the caller closes; the first element of each stat
   * array is the aggregate.
   */
  private DeviceStats stats() {
    return allocator().getDeviceStats((byte) index);
  }

  private static CUDAAllocator allocator() {
    return torch_cuda.getAllocator();
  }

  private void check(int status, String call) {
    if (status != 0) {
      throw new IllegalStateException(
          call + " failed for GPU " + index + ": " + cudart.cudaGetErrorString(status).getString());
    }
  }
}
