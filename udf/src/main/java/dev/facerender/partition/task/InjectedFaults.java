package dev.facerender.partition.task;

import dev.facerender.config.FacerenderConf;
import dev.facerender.config.FaultConf;
import java.io.Serializable;
import java.util.Map;

/**
 * The faults a run injects to test itself (none by default): simulated device OOMs at {@code
 * oomRate} in batches above {@code oomAbove} frames, drawn from {@code seed}; a failure of each
 * task's first attempt; a CPU budget that drops to {@code cpuMemoryBytes} after {@code
 * cpuMemoryAfter} batches. Apart from the settings of the render itself.
 */
public record InjectedFaults(
    double oomRate,
    int oomAbove,
    long seed,
    boolean taskFailure,
    long cpuMemoryBytes,
    int cpuMemoryAfter)
    implements Serializable {

  /** The faults {@code values} ({@code spark.facerender.*}, validated) ask for. */
  static InjectedFaults from(Map<String, String> values) {
    return new InjectedFaults(
        FacerenderConf.get(FaultConf.INJECT_OOM_RATE, values),
        FacerenderConf.get(FaultConf.INJECT_OOM_ABOVE, values),
        FacerenderConf.get(FaultConf.SEED, values),
        FacerenderConf.get(FaultConf.INJECT_TASK_FAILURE, values),
        FacerenderConf.get(FaultConf.INJECT_CPU_MEMORY, values),
        FacerenderConf.get(FaultConf.INJECT_CPU_MEMORY_AFTER, values));
  }
}
