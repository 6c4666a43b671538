package dev.facerender.schedule.spark;

import dev.facerender.config.FacerenderConf;
import dev.facerender.device.DeviceChoice;
import dev.facerender.device.DeviceFacts;
import dev.facerender.device.DriverGpus;
import dev.facerender.device.GpuListing;
import dev.facerender.job.DeviceUse;
import dev.facerender.job.Master;
import dev.facerender.natives.NativesKind;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.SparkSession;

/**
 * How many tasks one executor runs at once (they share its cores and heap) and how many of them
 * share one device. Spark schedules a task only when both its CPUs and its GPU share are free, so
 * with GPUs the smaller of the two slot counts runs; tasks per GPU follow {@code
 * spark.task.resource.gpu.amount}: an amount of 0.25 puts four tasks on each GPU, whatever the
 * cores. Without GPU scheduling every task of the executor shares its one device (the CPU, or a
 * simulated GPU).
 */
public final class SparkTopology {
  /** Tasks at once per executor, and how many of them share each device. */
  public record Slots(int concurrentTasks, int tasksPerDevice) {
    public Slots {
      if (concurrentTasks < 1 || tasksPerDevice < 1 || tasksPerDevice > concurrentTasks) {
        throw new IllegalArgumentException(
            "need 1 <= tasksPerDevice <= concurrentTasks, got "
                + tasksPerDevice
                + " and "
                + concurrentTasks);
      }
    }
  }

  private SparkTopology() {}

  public static Slots slots(SparkSession spark) {
    SparkConf conf = spark.sparkContext().getConf();
    String master = spark.sparkContext().master();
    // In local mode the driver is the executor: Spark wants executor resources declared for the
    // task amount, and the driver's GPUs are the ones its tasks see.
    String gpus = conf.get("spark.executor.resource.gpu.amount", "");
    if (gpus.isBlank() && Master.of(master).local()) {
      gpus = conf.get("spark.driver.resource.gpu.amount", "");
    }
    return slots(
        master,
        conf.get("spark.executor.cores", ""),
        conf.get("spark.task.cpus", "1"),
        gpus,
        conf.get("spark.task.resource.gpu.amount", ""),
        Runtime.getRuntime().availableProcessors());
  }

  /**
   * In local mode, the GPUs the driver discovered, for tasks to use (local Spark offers tasks no
   * resources); none elsewhere.
   */
  public static DriverGpus driverGpus(SparkSession spark) {
    String master = spark.sparkContext().master();
    boolean local = Master.of(master).local();
    ResourceInformation gpus = spark.sparkContext().resources().get("gpu").getOrElse(() -> null);
    if (!local || gpus == null) {
      return DriverGpus.NONE;
    }
    return new DriverGpus(List.of(gpus.addresses()));
  }

  /**
   * Which device(s) a Spark run renders on and why, {@code its devices and the reason}: on a local
   * master the driver's GPUs its tasks are lent (as {@code chosen}, the run's {@link DeviceChoice},
   * asked for, or as the session's own {@code spark.driver.resource.gpu.*} settings gave them), a
   * simulated GPU, or the CPU; on a cluster whatever Spark assigns each task.
   */
  public static DeviceUse device(
      SparkSession spark, DeviceChoice chosen, Map<String, String> conf) {
    String master = spark.sparkContext().master();
    if (!Master.of(master).local()) {
      return new DeviceUse(
          "per task",
          "per task: the GPU Spark assigns it (spark.executor.resource.gpu.*), else its executor's"
              + " CPU; metrics/ records each batch's device");
    }
    long simulated = FacerenderConf.get(FacerenderConf.SIMULATE_GPU, conf);
    if (simulated > 0) {
      DeviceChoice sim =
          chosen != null
              ? chosen
              : DeviceChoice.decide(
                  "auto", new DeviceFacts(NativesKind.CPU, GpuListing.NONE, null, -1, simulated));
      return new DeviceUse(sim.label(), sim.reason());
    }
    List<String> gpus = driverGpus(spark).addresses();
    if (gpus.isEmpty()) {
      return chosen != null && !chosen.onGpu()
          ? new DeviceUse(chosen.label(), chosen.reason())
          : new DeviceUse("cpu", "cpu: local Spark was given no GPU");
    }
    String label = String.join(",", gpus.stream().map(g -> "cuda:" + g).toList());
    return chosen != null && chosen.onGpu() && label.equals(chosen.label())
        ? new DeviceUse(label, chosen.reason())
        : new DeviceUse(label, label + ": the driver's GPUs (spark.driver.resource.gpu.*)");
  }

  public static int concurrentTasks(SparkSession spark) {
    return slots(spark).concurrentTasks();
  }

  /**
   * The arithmetic: {@code executorGpus} GPUs per executor (blank: none scheduled), each task takes
   * {@code taskGpuAmount} of one (blank: none). {@code cores} stands in for the executor's cores
   * where the master does not fix them (local[*], standalone without spark.executor.cores).
   */
  static Slots slots(
      String master,
      String executorCores,
      String taskCpus,
      String executorGpus,
      String taskGpuAmount,
      int cores) {
    int coreSlots = coreSlots(master, executorCores, taskCpus, cores);
    double gpus = number(executorGpus, "executor GPU amount");
    double amount = number(taskGpuAmount, "spark.task.resource.gpu.amount");
    if (gpus <= 0 || amount <= 0) {
      return new Slots(coreSlots, coreSlots);
    }
    if (amount < 1) {
      // Spark gives each GPU address floor(1 / amount) task slots.
      int perGpu = (int) Math.floor(1 / amount + 1e-9);
      int concurrent = Math.max(1, Math.min(coreSlots, (int) gpus * perGpu));
      return new Slots(concurrent, Math.min(perGpu, concurrent));
    }
    int concurrent = Math.max(1, Math.min(coreSlots, (int) Math.floor(gpus / amount + 1e-9)));
    return new Slots(concurrent, 1);
  }

  public static int coreSlots(String master, String executorCores, String taskCpus, int cores) {
    int perTask = Math.max(1, Integer.parseInt(taskCpus.strip()));
    int threads = Master.of(master).localThreads(cores);
    if (threads > 0) {
      return Math.max(1, threads / perTask);
    }
    int executorSlots;
    if (!executorCores.isBlank()) {
      executorSlots = Integer.parseInt(executorCores.strip());
    } else if (master.startsWith("yarn") || master.startsWith("k8s://")) {
      executorSlots = 1; // both default spark.executor.cores to 1
    } else {
      executorSlots = cores; // standalone: all of a worker's cores; the driver's is the guess
    }
    return Math.max(1, executorSlots / perTask);
  }

  private static double number(String text, String what) {
    if (text == null || text.isBlank()) {
      return 0;
    }
    try {
      return Double.parseDouble(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "%s '%s' is not a number", what, text), e);
    }
  }
}
