package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.codec.RgbImage;
import dev.facerender.job.ProgressListener;
import dev.facerender.job.RunSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local engine on a GPU, with the simulated one standing in: --device auto takes it as the GPU
 * seen, renders in --gpu-slots tasks on it, writes the frames the CPU writes and says where it ran.
 */
class LocalEngineGpuSlotsTest {
  private static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static RunSummary run(Path input, Path out, Map<String, String> conf) {
    return LocalSpark.localEngine(LocalSpark.request(input, out, "error-if-exists", conf))
        .run(ProgressListener.NONE);
  }

  @Test
  void aSimulatedGpuRendersInItsSlotsTheFramesTheCpuRenders() throws Exception {
    Path input = LocalSpark.demo(spark, dir, 5, 12, 64);
    Path cpuOut = dir.resolve("cpu");
    Path gpuOut = dir.resolve("sim-gpu");

    RunSummary cpu = run(input, cpuOut, Map.of("spark.facerender.device", "cpu"));
    RunSummary gpu =
        run(
            input,
            gpuOut,
            // 8 GiB as in every simulated test: one simulated GPU per JVM keeps its id's state.
            Map.of("spark.facerender.simulateGpu", "8GiB", "spark.facerender.gpuSlots", "3"));

    assertThat(cpu.deviceReason()).isEqualTo("cpu: --device cpu");
    assertThat(gpu.device()).isEqualTo("sim-gpu:0");
    assertThat(gpu.deviceReason())
        .isEqualTo("sim-gpu:0: simulated GPU of 8.00 GiB (--simulate-gpu), 1 GPU seen");
    // Three slots on the one GPU, not one task per core (this machine's local[2]).
    assertThat(gpu.master()).isEqualTo("local engine, 3 GPU render slots");
    assertThat(gpuOut.resolve("run.json"))
        .content()
        .contains("\"device\" : \"sim-gpu:0\"")
        .contains("\"device_reason\" : \"sim-gpu:0: simulated GPU of 8.00 GiB")
        .contains("\"concurrentTasks\" : 3")
        .contains("\"tasksPerDevice\" : 3");
    assertThat(gpuOut.resolve("report.html")).content().contains("sim-gpu:0: simulated GPU");
    assertThat(
            spark
                .read()
                .parquet(gpuOut.resolve("metrics").toString())
                .select("device")
                .distinct()
                .collectAsList())
        .extracting(r -> r.getString(0))
        .containsExactly("sim-gpu:0");

    List<Row> onCpu = LocalSpark.frames(spark, cpuOut);
    List<Row> onGpu = LocalSpark.frames(spark, gpuOut);
    assertThat(onGpu).hasSize(60).hasSameSizeAs(onCpu);
    for (int i = 0; i < onCpu.size(); i++) {
      assertThat(onGpu.get(i).<String>getAs("clip_id")).isEqualTo(onCpu.get(i).getAs("clip_id"));
      assertThat(onGpu.get(i).<Integer>getAs("frame_index"))
          .isEqualTo(onCpu.get(i).getAs("frame_index"));
      assertThat(maxDifference(LocalSpark.decode(onCpu.get(i)), LocalSpark.decode(onGpu.get(i))))
          .isLessThanOrEqualTo(1);
    }
  }

  private static int maxDifference(RgbImage a, RgbImage b) {
    assertThat(b.width()).isEqualTo(a.width());
    byte[] x = a.bgr();
    byte[] y = b.bgr();
    int max = 0;
    for (int i = 0; i < x.length; i++) {
      max = Math.max(max, Math.abs((x[i] & 0xff) - (y[i] & 0xff)));
    }
    return max;
  }
}
