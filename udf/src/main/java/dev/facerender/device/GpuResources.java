package dev.facerender.device;

import java.util.Map;
import org.apache.spark.resource.ResourceInformation;

/** Spark's {@code gpu} resource as a task receives it: an address per GPU, CUDA device indexes. */
public final class GpuResources {
  private GpuResources() {}

  /** Resources naming GPU {@code index} as Spark would give them to a task; empty for -1. */
  public static Map<String, ResourceInformation> gpu(int index) {
    if (index < 0) {
      return Map.of();
    }
    return Map.of("gpu", new ResourceInformation("gpu", new String[] {Integer.toString(index)}));
  }

  /** The first GPU address Spark assigned to the task, or -1. */
  public static int assigned(Map<String, ResourceInformation> resources) {
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
}
