package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.device.sim.GpuSpec;
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

/** Sizing against a simulated 8 GiB GPU: no OOM, and close to the largest batch that fits. */
class SimulatedGpuTest {
  private static SparkSession spark;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    // One task slot: the whole simulated device is this task's budget.
    spark = LocalSpark.start("local[1]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void highLevelPlansAtLeastNinetyPercentOfTheLargestFittingBatchWithoutOoms() {
    Path input = LocalSpark.demo(spark, dir, 2, 48, 256);
    Path out = dir.resolve("out");

    RunSummary run =
        LocalSpark.render(
            spark,
            input,
            out,
            Map.of("spark.facerender.simulateGpu", "8GiB", "spark.facerender.level", "high"));

    assertThat(run.ooms()).isZero();
    assertThat(run.deviceReason())
        .isEqualTo("sim-gpu:0: simulated GPU of 8.00 GiB (--simulate-gpu), 1 GPU seen");
    assertThat(run.renderedFrames()).isEqualTo(96);
    int largest = GpuSpec.of(8L << 30).largestFit(256 * 256, 256);
    List<Row> metrics = spark.read().parquet(out.resolve("metrics").toString()).collectAsList();
    for (Row batch : metrics) {
      int planned = batch.getAs("planned_batch");
      assertThat(planned)
          .isLessThanOrEqualTo(largest)
          .isGreaterThanOrEqualTo((int) Math.ceil(0.9 * largest));
      assertThat((String) batch.getAs("device")).isEqualTo("sim-gpu:0");
      assertThat(batch.<Long>getAs("total_bytes")).isEqualTo(8L << 30);
      assertThat(batch.<Long>getAs("free_bytes")).isPositive();
      assertThat(batch.<Long>getAs("per_frame_bytes")).isPositive();
      assertThat(batch.<Long>getAs("peak_bytes")).isLessThanOrEqualTo(8L << 30);
    }
  }
}
