package dev.facerender.retry;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Recognises device out-of-memory errors. libtorch has no distinct Java class for them: every c10
 * error reaches Java as a RuntimeException carrying the C++ message, and wrappers may hide it
 * further down the cause chain. A Java {@link OutOfMemoryError} does not count: the JVM's heap (or
 * JavaCPP's native limit) running out says the executor is sized too small, which splitting a batch
 * would only hide.
 */
public final class OutOfMemoryErrors {
  private static final String[] MARKERS = {
    "CUDA out of memory",
    "DefaultCPUAllocator: can't allocate memory",
    "CUDA error: out of memory",
    "CUBLAS_STATUS_ALLOC_FAILED",
    // cuDNN's own allocations: cuDNN 8's status, cuDNN 9's device and host sub-codes
    // (CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED, ..._HOST_ALLOCATION_FAILED).
    "CUDNN_STATUS_ALLOC_FAILED",
    "ALLOCATION_FAILED",
    // Expandable segments map memory through the driver API, whose OOM reads differently.
    "CUDA driver error: out of memory",
    "HIP out of memory",
    "MPS backend out of memory"
  };

  private OutOfMemoryErrors() {}

  /** Whether {@code error} or any error in its cause chain says the device ran out of memory. */
  public static boolean isOutOfMemory(Throwable error) {
    return find(error, new IdentityHashMap<>());
  }

  private static boolean find(Throwable error, Map<Throwable, Boolean> seen) {
    if (error == null || seen.put(error, Boolean.TRUE) != null) {
      return false;
    }
    String message = error.getMessage();
    if (message != null) {
      for (String marker : MARKERS) {
        if (message.contains(marker)) {
          return true;
        }
      }
    }
    return find(error.getCause(), seen);
  }

  /** The message a CUDA OOM carries, for simulated devices and injected faults. */
  public static String cudaMessage(
      long requestedBytes, int device, long totalBytes, long freeBytes) {
    return String.format(
        "CUDA out of memory. Tried to allocate %s. GPU %d has a total capacity of %s of which %s is"
            + " free. Of the allocated memory %s is allocated by PyTorch.",
        gib(requestedBytes), device, gib(totalBytes), gib(freeBytes), gib(totalBytes - freeBytes));
  }

  private static String gib(long bytes) {
    if (bytes >= 1L << 30) {
      return String.format("%.2f GiB", bytes / (double) (1L << 30));
    }
    return String.format("%.2f MiB", bytes / (double) (1L << 20));
  }
}
