package dev.facerender.run;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.slice;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.job.RunSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What tasks send the driver stays bounded by tasks x error codes, however many rows or batches
 * they handle: rows travel as files (FileSinks), and metrics.json and the report aggregate.
 */
class DriverTrafficTest {
  /**
   * Per task result: the write stats, one TaskRows, progress and the report's sampled 16 px frames
   * (measured: up to ~50 KB for a task of 5000 one-frame batches, whose metrics rows alone would be
   * ~2 MB).
   */
  private static final long TASK_RESULT_LIMIT = 96 << 10;

  private static SparkSession spark;
  @TempDir static Path dir;
  private static final Traffic traffic = new Traffic();

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
    spark.sparkContext().addSparkListener(traffic);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void eightThousandOneFrameBatchesSendLittleAndWriteSmallRunFiles() throws Exception {
    Path input = LocalSpark.demo(spark, dir.resolve("batches"), 8, 1000, 16);
    Path out = dir.resolve("batches-out");
    traffic.reset();
    RunSummary run =
        LocalSpark.render(
            spark,
            input,
            out,
            Map.of("spark.facerender.batchSize", "1", "spark.facerender.framesFormat", "raw"));
    spark.sparkContext().listenerBus().waitUntilEmpty();

    assertThat(run.batchCount()).isEqualTo(8_000);
    assertThat(spark.read().parquet(out.resolve("metrics").toString()).count()).isEqualTo(8_000);
    System.out.printf(
        "8000 one-frame batches: %d tasks sent %d result bytes (largest %d); metrics.json %d B,"
            + " report.html %d B%n",
        traffic.tasks.get(),
        traffic.bytes.get(),
        traffic.largest.get(),
        Files.size(out.resolve("metrics.json")),
        Files.size(out.resolve("report.html")));
    // Each task had about 8000 / tasks batches; a metrics row alone is ~400 bytes of JSON.
    assertThat(traffic.largest.get()).isLessThan(TASK_RESULT_LIMIT);
    assertThat(Files.size(out.resolve("metrics.json"))).isLessThan(2L << 20);
    assertThat(Files.size(out.resolve("report.html"))).isLessThan(3L << 20);
    assertThat(Files.readString(out.resolve("metrics.json")))
        .contains("a sample of")
        .contains(out.resolve("metrics").toString());
    assertThat(Files.readString(out.resolve("report.html"))).contains("a sample of");
  }

  @Test
  void fortyThousandRowsHalfBadSendCountsPerCodeNotRows() throws Exception {
    Path input = LocalSpark.demo(spark, dir.resolve("half-bad"), 20, 2_000, 16);
    Path broken = dir.resolve("half-bad-input");
    spark
        .read()
        .parquet(input.resolve("sources").toString())
        .write()
        .parquet(broken.resolve("sources").toString());
    spark
        .read()
        .parquet(input.resolve("frames").toString())
        .withColumn(
            "coeffs",
            when(col("frame_index").mod(2).equalTo(0), slice(col("coeffs"), 1, 12))
                .otherwise(col("coeffs")))
        .write()
        .parquet(broken.resolve("frames").toString());
    Path out = dir.resolve("half-bad-out");
    traffic.reset();
    RunSummary run =
        LocalSpark.render(
            spark,
            broken,
            out,
            Map.of("spark.facerender.maxErrorRate", "0.6", "spark.facerender.framesFormat", "raw"));
    spark.sparkContext().listenerBus().waitUntilEmpty();

    assertThat(run.errorFrames()).isEqualTo(20_000);
    assertThat(run.renderedFrames()).isEqualTo(20_000);
    assertThat(run.errorCodes()).hasSize(1).containsValue(20_000L);
    assertThat(spark.read().parquet(out.resolve("errors").toString()).count()).isEqualTo(20_000);
    System.out.printf(
        "40000 rows, half bad: %d tasks sent %d result bytes (largest %d)%n",
        traffic.tasks.get(), traffic.bytes.get(), traffic.largest.get());
    // 20 000 error rows of ~150 bytes each would be ~3 MB if rows rode to the driver.
    assertThat(traffic.largest.get()).isLessThan(TASK_RESULT_LIMIT);
    assertThat(traffic.bytes.get()).isLessThan(traffic.tasks.get() * TASK_RESULT_LIMIT);
  }

  /** Serialized results (values, accumulator updates) the driver received from render tasks. */
  private static final class Traffic extends SparkListener {
    final AtomicLong tasks = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong largest = new AtomicLong();

    void reset() {
      tasks.set(0);
      bytes.set(0);
      largest.set(0);
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      // Render tasks only: they carry the "task rows" accumulator (the report's reads do not).
      boolean render =
          end.taskMetrics() != null
              && end.taskInfo()
                  .accumulables()
                  .exists(a -> a.name().isDefined() && a.name().get().equals("task rows"));
      if (!render) {
        return;
      }
      long size = end.taskMetrics().resultSize();
      tasks.incrementAndGet();
      bytes.addAndGet(size);
      largest.accumulateAndGet(size, Math::max);
    }
  }
}
