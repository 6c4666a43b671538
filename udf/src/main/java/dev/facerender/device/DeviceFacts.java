package dev.facerender.device;

import static java.util.Objects.requireNonNull;

import dev.facerender.natives.NativesKind;

/**
 * What {@link DeviceChoice} decides from: the natives this process loads, the GPUs the driver
 * lists, {@code CUDA_VISIBLE_DEVICES} (null when unset), how many CUDA devices libtorch counts (-1
 * when not asked: the CPU natives), the simulated GPU's size (0: none) and, when the GPU natives
 * could not load at all (a CUDA library they link is missing), the linker's message (else null).
 */
public record DeviceFacts(
    NativesKind natives,
    GpuListing gpus,
    String cudaVisibleDevices,
    int torchGpus,
    long simulatedGpuBytes,
    String nativesError) {
  public DeviceFacts {
    requireNonNull(natives, "natives is null");
    requireNonNull(gpus, "gpus is null");
  }

  /** Facts of natives that loaded. */
  public DeviceFacts(
      NativesKind natives,
      GpuListing gpus,
      String cudaVisibleDevices,
      int torchGpus,
      long simulatedGpuBytes) {
    this(natives, gpus, cudaVisibleDevices, torchGpus, simulatedGpuBytes, null);
  }

  /**
   * This machine's facts. With the GPU natives, libtorch is loaded (if not yet) and asked how many
   * GPUs it can use; nvidia-smi is asked unless a GPU is simulated.
   */
  public static DeviceFacts ofThisMachine(long simulatedGpuBytes) {
    NativesKind natives = NativesKind.ofThisProcess();
    String visible = System.getenv("CUDA_VISIBLE_DEVICES");
    GpuListing gpus = simulatedGpuBytes > 0 ? GpuListing.NONE : GpuListing.ofThisMachine();
    if (natives == NativesKind.CPU) {
      return new DeviceFacts(natives, gpus, visible, -1, simulatedGpuBytes, null);
    }
    try {
      int torchGpus = CudaAvailability.ofThisProcess().torchDevices();
      return new DeviceFacts(natives, gpus, visible, torchGpus, simulatedGpuBytes, null);
    } catch (LinkageError e) {
      // libtorch_cuda links cuBLAS, cuDNN, NCCL...: without one the GPU build does not load.
      return new DeviceFacts(natives, gpus, visible, 0, simulatedGpuBytes, linkerMessage(e));
    }
  }

  /** The innermost message, from the library's file name on ("libtorch_cuda.so: libX: ..."). */
  static String linkerMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(root.getMessage());
    int so = message.indexOf(".so: ");
    int slash = so < 0 ? -1 : message.lastIndexOf('/', so);
    return slash < 0 ? message : message.substring(slash + 1);
  }
}
