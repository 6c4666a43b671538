package dev.facerender.runtime;

import dev.facerender.device.CpuDevice;
import dev.facerender.device.CudaAvailability;
import dev.facerender.device.Device;
import dev.facerender.device.GpuResources;
import dev.facerender.device.sim.GpuSpec;
import dev.facerender.device.sim.SimulatedGpu;
import dev.facerender.natives.TorchNatives;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the device Spark gave a task: one instance per device (and size) for the life of this
 * object, shared by the tasks that ask for it. An executor keeps one, in its {@code
 * ExecutorRuntime}.
 */
public final class Devices {
  private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

  private final Map<String, Device> devices = new ConcurrentHashMap<>();

  /**
   * The device for a task: the GPU whose address Spark assigned (resource {@code gpu}), simulated
   * when {@code simulateGpuBytes > 0}; the CPU when no GPU was assigned. A GPU this process's
   * libtorch cannot use is an error that says why, not a silent CPU render.
   */
  public Device forTask(
      long simulateGpuBytes,
      double cpuMemoryFraction,
      long cpuMemoryBytes,
      Map<String, ResourceInformation> resources) {
    return forTask(
        simulateGpuBytes,
        cpuMemoryFraction,
        cpuMemoryBytes,
        resources,
        CudaAvailability.ofThisProcess());
  }

  /** {@link #forTask} with {@code cuda} telling whether a GPU can be used. */
  public Device forTask(
      long simulateGpuBytes,
      double cpuMemoryFraction,
      long cpuMemoryBytes,
      Map<String, ResourceInformation> resources,
      CudaAvailability cuda) {
    TorchNatives.load();
    int gpu = GpuResources.assigned(resources);
    if (simulateGpuBytes > 0) {
      int index = Math.max(gpu, 0);
      return devices.computeIfAbsent(
          "sim-gpu:" + index + ":" + simulateGpuBytes,
          k -> new SimulatedGpu("sim-gpu:" + index, index, GpuSpec.of(simulateGpuBytes)));
    }
    if (gpu >= 0) {
      cuda.require(gpu);
      return devices.computeIfAbsent("cuda:" + gpu, k -> Device.cuda(gpu));
    }
    return devices.computeIfAbsent(
        "cpu:" + cpuMemoryFraction + ":" + cpuMemoryBytes,
        k -> new CpuDevice(cpuMemoryFraction, cpuMemoryBytes));
  }
}
