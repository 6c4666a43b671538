package dev.facerender.device;

import static java.util.Objects.requireNonNull;

import dev.facerender.natives.NativesKind;

/**
 * What {@link DeviceChoice} decides from: the natives this process loads, the GPUs the driver
 * lists, {@code CUDA_VISIBLE_DEVICES} (null when unset), how many CUDA devices libtorch counts (-1
 * when not asked: CPU natives, or no GPU listed) and the simulated GPU's size (0: none).
 */
public record DeviceFacts(
    NativesKind natives,
    GpuListing gpus,
    String cudaVisibleDevices,
    int torchGpus,
    long simulatedGpuBytes) {
  public DeviceFacts {
    requireNonNull(natives, "natives is null");
    requireNonNull(gpus, "gpus is null");
  }

  /**
   * This machine's facts. libtorch is asked (loading it, if not yet loaded) only when the GPU
   * natives are in use and the driver lists a GPU; nvidia-smi is asked unless a GPU is simulated.
   */
  public static DeviceFacts ofThisMachine(long simulatedGpuBytes) {
    NativesKind natives = NativesKind.ofThisProcess();
    String visible = System.getenv("CUDA_VISIBLE_DEVICES");
    if (simulatedGpuBytes > 0) {
      return new DeviceFacts(natives, GpuListing.NONE, visible, -1, simulatedGpuBytes);
    }
    GpuListing gpus = GpuListing.ofThisMachine();
    int torchGpus =
        natives == NativesKind.GPU && gpus.count() > 0
            ? CudaAvailability.ofThisProcess().torchDevices()
            : -1;
    return new DeviceFacts(natives, gpus, visible, torchGpus, 0);
  }
}
