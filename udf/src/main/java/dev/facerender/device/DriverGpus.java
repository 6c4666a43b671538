package dev.facerender.device;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;

/**
 * The GPUs a local-mode driver discovered ({@code spark.driver.resource.gpu.*}). Local Spark runs
 * tasks in the driver but never offers them its resources, so a task given no GPU takes one of
 * these: partition p gets address p mod n. Empty on clusters, where Spark assigns GPUs itself.
 */
public record DriverGpus(List<String> addresses) implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final DriverGpus NONE = new DriverGpus(List.of());

  public DriverGpus {
    addresses = List.copyOf(addresses);
    for (String address : addresses) {
      // Fails now, on the driver, with the discovery script's fault, not later in a task.
      GpuResources.assigned(Map.of("gpu", new ResourceInformation("gpu", new String[] {address})));
    }
  }

  /** What Spark gave the task, or else this driver's GPU for {@code partition}. */
  public Map<String, ResourceInformation> forTask(
      Map<String, ResourceInformation> given, int partition) {
    if (addresses.isEmpty() || (given != null && given.containsKey("gpu"))) {
      return given == null ? Map.of() : given;
    }
    String address = addresses.get(Math.floorMod(partition, addresses.size()));
    return Map.of("gpu", new ResourceInformation("gpu", new String[] {address}));
  }
}
