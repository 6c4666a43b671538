package dev.facerender.model;

import dev.facerender.natives.TorchNatives;
import org.bytedeco.openblas.presets.openblas_nolapack;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** libtorch settings: intra-op threads, messages. */
public final class Torch {
  private Torch() {}

  /**
   * Sets libtorch's intra-op threads for the calling thread and returns them. In this libtorch
   * build (OpenMP) the count belongs to each calling thread: a thread takes the process-wide value
   * at its first parallel op and keeps it, so a pooled Spark task thread or a render thread would
   * keep whatever an earlier task, a driver-side check or another run in the JVM set. Every thread
   * that renders calls this first. Oversubscribing cores costs 3-18% on the warp.
   *
   * <p>OpenBLAS's threads follow: libtorch sets OpenMP's count (and MKL's, where a build has it),
   * not OpenBLAS's, and this build's small convolutions at batch 1 and its matrix products run
   * OpenBLAS's GEMM, on OpenBLAS's own pool of one thread per core, one pool per process. Two
   * one-thread tasks then queued their GEMMs on that pool while its threads spun against the tasks'
   * own: 8 SadTalker clips (reduced network, 2 tasks) rendered in 55.9 s against 34.5 s with
   * OpenBLAS at one thread (docs/performance.md). OpenBLAS's count is the process's, not the
   * thread's: every rendering thread of a JVM asks for the same count at once, since it follows the
   * tasks alive.
   */
  public static int configureThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("torch threads must be >= 1, got " + threads);
    }
    TorchNatives.load();
    if (torch.get_num_threads() != threads) {
      torch.set_num_threads(threads);
    }
    if (openblas_nolapack.blas_get_num_threads() != threads) {
      openblas_nolapack.blas_set_num_threads(threads);
    }
    return threads;
  }

  /** libtorch messages carry kilobytes of C++ stack after the first line. */
  public static String firstLine(Throwable error) {
    String message = String.valueOf(error.getMessage());
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }

  /**
   * {@code tensor} on {@code torchDevice} ({@code cpu}: as it is). To a GPU the copy goes from
   * page-locked memory (libtorch's caching host allocator keeps those pages) and is queued on the
   * current stream without waiting: kernels queued after it on that stream see the copied values.
   * The pinned tensor belongs to the caller's scope, which must outlive the work that reads it.
   * Other devices get a plain copy (page-locking needs a GPU).
   */
  public static Tensor onDevice(Tensor tensor, String torchDevice) {
    if (torchDevice.equals("cpu")) {
      return tensor;
    }
    try (Device placed = new Device(torchDevice);
        MemoryFormatOptional keep = new MemoryFormatOptional()) {
      boolean gpu = torchDevice.startsWith("cuda");
      return (gpu ? tensor.pin_memory() : tensor)
          .to(placed, tensor.scalar_type(), gpu, false, keep);
    }
  }
}
