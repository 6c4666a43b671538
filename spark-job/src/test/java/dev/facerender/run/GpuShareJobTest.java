package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.job.RunSummary;
import dev.facerender.schedule.spark.SparkTopology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real session with one GPU (found by a discovery script) and a task GPU amount of 0.25: the job
 * reads four tasks on the GPU from it. Local mode accepts these settings but its scheduler offers
 * no GPU to tasks (a job would wait forever), so the render itself is checked in GpuSharingTest.
 * Without a task amount, local tasks render on the driver's GPU.
 */
class GpuShareJobTest {
  @TempDir static Path dir;

  /**
   * A builder for a new local session whose driver discovers one GPU at {@code address} through the
   * discovery script at {@code script} (written here).
   */
  private static SparkSession.Builder withDriverGpu(String master, Path script, String address)
      throws Exception {
    Files.writeString(
        script, "#!/bin/sh\necho '{\"name\":\"gpu\",\"addresses\":[\"" + address + "\"]}'\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> null);
    if (active != null) {
      active.stop();
    }
    return SparkSession.builder()
        .master(master)
        .appName("facerender-gpu-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.resource.gpu.amount", "1")
        .config("spark.driver.resource.gpu.discoveryScript", script.toString());
  }

  @Test
  void localTasksRenderOnTheGpuTheDriverDiscovered() throws Exception {
    SparkSession spark = withDriverGpu("local[2]", dir.resolve("gpu3.sh"), "3").getOrCreate();
    try {
      Path input = LocalSpark.demo(spark, dir.resolve("driver-gpu"), 2, 6, 64);
      Path out = dir.resolve("driver-gpu-out");
      RunSummary summary =
          LocalSpark.render(spark, input, out, Map.of("spark.facerender.simulateGpu", "8GiB"));

      assertThat(summary.renderedFrames()).isEqualTo(12);
      List<String> devices =
          spark
              .read()
              .parquet(out.resolve("metrics").toString())
              .select("device")
              .distinct()
              .collectAsList()
              .stream()
              .map(row -> row.getString(0))
              .toList();
      // The simulated GPU takes the index of the GPU the task was given.
      assertThat(devices).containsExactly("sim-gpu:3");
    } finally {
      spark.stop();
    }
  }

  @Test
  void aQuarterGpuAmountOfOneGpuMeansFourTasksOnIt() throws Exception {
    Path script = dir.resolve("gpus.sh");
    SparkSession spark =
        withDriverGpu("local[8]", script, "0")
            .config("spark.executor.resource.gpu.amount", "1")
            .config("spark.executor.resource.gpu.discoveryScript", script.toString())
            .config("spark.task.resource.gpu.amount", "0.25")
            .getOrCreate();
    try {
      assertThat(SparkTopology.slots(spark)).isEqualTo(new SparkTopology.Slots(4, 4));
    } finally {
      spark.stop();
    }
  }
}
