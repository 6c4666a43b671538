package dev.facerender.cli.options;

import dev.facerender.device.DeviceChoice;
import dev.facerender.device.DeviceKind;
import dev.facerender.io.InputException;
import dev.facerender.job.Master;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;

/** Spark sessions for the CLI: local[*] unless spark-submit or --master says otherwise. */
public final class Sessions {
  public static final String HEARTBEAT = "spark.executor.heartbeatInterval";
  public static final String GPU_AMOUNT = "spark.driver.resource.gpu.amount";
  public static final String GPU_SCRIPT = "spark.driver.resource.gpu.discoveryScript";

  private Sessions() {}

  /**
   * Settings for a local run, where the only shuffles are the counts and checks over a few key
   * columns: no UI; as many shuffle partitions as task threads (Spark's 200 are 200 tasks per
   * stage); no adaptive execution, which submits every shuffle stage as a job of its own, a few
   * hundred milliseconds each on a small run.
   */
  public static Map<String, String> localDefaults(String master, int cores) {
    int threads = Master.of(master).localThreads(cores);
    int partitions = threads > 0 ? threads : cores;
    return Map.of(
        "spark.ui.enabled", "false",
        "spark.sql.shuffle.partitions", Integer.toString(Math.max(1, partitions)),
        "spark.sql.adaptive.enabled", "false");
  }

  /**
   * What lends local tasks the GPUs {@code device} chose, as {@code bench/gpu-check.sh} did by
   * hand: the driver's GPU amount and a discovery script printing their CUDA indices (local Spark
   * gives tasks none of its own; {@code SparkTopology.driverGpus} hands them on). Nothing for the
   * CPU, a simulated GPU, a cluster master or a command that sets {@code
   * spark.driver.resource.gpu.*} itself.
   */
  public static Map<String, String> driverGpus(
      String master, Map<String, String> conf, DeviceChoice device, Path scriptDir) {
    boolean local = Master.of(master).local();
    if (device == null
        || device.kind() != DeviceKind.CUDA
        || !local
        || !unset(GPU_AMOUNT, conf)
        || !unset(GPU_SCRIPT, conf)) {
      return Map.of();
    }
    String addresses =
        device.gpus().stream().map(g -> "\"" + g + "\"").collect(Collectors.joining(","));
    try {
      Path script = Files.createTempFile(scriptDir, "facerender-gpus-", ".sh");
      script.toFile().deleteOnExit();
      Files.writeString(
          script,
          "#!/bin/sh\n# "
              + device.reason()
              + "\n"
              + "echo '{\"name\":\"gpu\",\"addresses\":["
              + addresses
              + "]}'\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
      return Map.of(
          GPU_AMOUNT, Integer.toString(device.gpus().size()), GPU_SCRIPT, script.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not write the GPU discovery script for local Spark in " + scriptDir, e);
    }
  }

  /** Whether neither the command's --conf nor spark-submit (system properties) sets {@code key}. */
  private static boolean unset(String key, Map<String, String> conf) {
    return !conf.containsKey(key) && System.getProperty(key) == null;
  }

  /**
   * Refuses GPU scheduling settings on a local master before Spark starts. Local Spark runs tasks
   * in the driver and never offers them resources: with executor and task GPU amounts its first job
   * waits forever for a GPU offer, and with a task amount alone SparkContext fails on a missing
   * executor amount. Facerender gives local tasks the driver's GPUs itself.
   */
  public static void checkLocalGpuSettings(String master, Map<String, String> conf) {
    String effective = master != null ? master : System.getProperty("spark.master", "local[*]");
    if (!Master.of(effective).local()) {
      return;
    }
    for (String key :
        new String[] {"spark.task.resource.gpu.amount", "spark.executor.resource.gpu.amount"}) {
      String value = conf.getOrDefault(key, System.getProperty(key));
      if (value != null) {
        throw new InputException(
            key
                + "="
                + value
                + " with master "
                + effective
                + ": local Spark never offers tasks a GPU, so its first job would wait forever."
                + " Drop the executor and task GPU amounts; local tasks share the driver's GPUs"
                + " (spark.driver.resource.gpu.amount=1 and a discovery script such as"
                + " conf/getGpusResources.sh), and --master local[4] runs four of them at once on"
                + " each, as an amount of 0.25 would on a cluster");
      }
    }
  }

  public static SparkSession create(String master, Map<String, String> conf) {
    return create(master, conf, null);
  }

  /** A session; on a local master, tasks get the GPUs {@code device} chose (null: none). */
  public static SparkSession create(String master, Map<String, String> conf, DeviceChoice device) {
    checkLocalGpuSettings(master, conf);
    SparkSession.Builder builder = SparkSession.builder().appName("facerender");
    String chosen = master;
    if (chosen == null && System.getProperty("spark.master") == null) {
      chosen = "local[*]";
    }
    if (chosen != null) {
      builder.master(chosen);
    }
    if (chosen != null && Master.of(chosen).local()) {
      localDefaults(chosen, Runtime.getRuntime().availableProcessors())
          .forEach(
              (k, v) -> {
                if (unset(k, conf)) {
                  builder.config(k, v);
                }
              });
    }
    if (chosen != null) {
      driverGpus(chosen, conf, device, Path.of(System.getProperty("java.io.tmpdir")))
          .forEach(builder::config);
    }
    if (unset(HEARTBEAT, conf)) {
      // Running tasks' frame counts reach the progress bar with heartbeats; Spark's 10 s default
      // makes the bar jump. A heartbeat is one small message per executor.
      builder.config(HEARTBEAT, "2s");
    }
    conf.forEach(
        (k, v) -> {
          if (k.startsWith("spark.") && !k.startsWith("spark.facerender.")) {
            builder.config(k, v);
          }
        });
    return builder.getOrCreate();
  }
}
