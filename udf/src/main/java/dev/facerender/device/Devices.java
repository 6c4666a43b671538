package dev.facerender.device;

import dev.facerender.device.sim.SimulatedGpu;
import dev.facerender.natives.TorchNatives;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.resource.ResourceInformation;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.IntPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the device Spark gave a task: one instance per device (and size) for the life of this
 * object, shared by the tasks that ask for it. An executor keeps one, in its {@code
 * ExecutorRuntime}.
 */
public final class Devices {
  private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

  /** Whether the CUDA runtime loads: a fact of the process's native libraries, probed once. */
  private static volatile Boolean cudaRuntime;

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

  Device forTask(
      long simulateGpuBytes,
      double cpuMemoryFraction,
      long cpuMemoryBytes,
      Map<String, ResourceInformation> resources,
      CudaAvailability cuda) {
    TorchNatives.load();
    int gpu = assignedGpu(resources);
    if (simulateGpuBytes > 0) {
      int index = Math.max(gpu, 0);
      return devices.computeIfAbsent(
          "sim-gpu:" + index + ":" + simulateGpuBytes,
          k -> new SimulatedGpu("sim-gpu:" + index, index, SimulatedGpu.Spec.of(simulateGpuBytes)));
    }
    if (gpu >= 0) {
      cuda.require(gpu);
      return devices.computeIfAbsent("cuda:" + gpu, k -> new CudaDevice(gpu));
    }
    return devices.computeIfAbsent(
        "cpu:" + cpuMemoryFraction + ":" + cpuMemoryBytes,
        k -> new CpuDevice(cpuMemoryFraction, cpuMemoryBytes));
  }

  /** Resources naming GPU {@code index} as Spark would give them to a task; empty for -1. */
  public static Map<String, ResourceInformation> gpu(int index) {
    if (index < 0) {
      return Map.of();
    }
    return Map.of("gpu", new ResourceInformation("gpu", new String[] {Integer.toString(index)}));
  }

  /** The first GPU address Spark assigned to the task, or -1. */
  static int assignedGpu(Map<String, ResourceInformation> resources) {
    ResourceInformation gpus = resources == null ? null : resources.get("gpu");
    if (gpus == null || gpus.addresses().length == 0) {
      return -1;
    }
    String address = gpus.addresses()[0].strip();
    try {
      return Integer.parseInt(address);
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          "Spark assigned GPU address '"
              + address
              + "', not a CUDA device index: the discovery script must print indices"
              + " (conf/getGpusResources.sh does)",
          e);
    }
  }

  /**
   * Whether the CUDA runtime loads here (reported by the doctor; rendering on a GPU needs more, see
   * {@link CudaAvailability}); probed once per JVM, one log line when it does not.
   */
  public static boolean cudaRuntimeLoads() {
    Boolean known = cudaRuntime;
    if (known != null) {
      return known;
    }
    synchronized (Devices.class) {
      if (cudaRuntime == null) {
        cudaRuntime = probeCuda();
      }
      return cudaRuntime;
    }
  }

  private static boolean probeCuda() {
    try (IntPointer count = new IntPointer(1)) {
      int status = cudart.cudaGetDeviceCount(count);
      if (status != 0 || count.get() == 0) {
        LOG.info("No usable CUDA device (cudaGetDeviceCount status {})", status);
        return false;
      }
      return true;
    } catch (LinkageError e) {
      LOG.info("No CUDA runtime on this machine ({})", e.getMessage());
      return false;
    }
  }
}
