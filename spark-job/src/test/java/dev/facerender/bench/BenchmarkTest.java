package dev.facerender.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.run.LocalSpark;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark measures every variant in one run and writes them; speeds are not judged here. */
class BenchmarkTest {
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

  @Test
  void aSimulatedGpuBenchmarkReportsEveryMeasurementAndItsRatios() {
    Benchmark.Result r =
        Benchmark.run(
            spark,
            new Benchmark.Request(
                dir, 2, 12, 64, 1, Map.of("spark.facerender.simulateGpu", "8GiB")));

    assertThat(r.sweep()).isNotEmpty();
    assertThat(r.sweep().get(0).batch()).isEqualTo(1);
    assertThat(r.batch1FramesPerSecond()).isPositive();
    assertThat(r.bestFramesPerSecond()).isGreaterThanOrEqualTo(r.batch1FramesPerSecond());
    assertThat(r.levels()).containsOnlyKeys("low", "medium", "high", "extreme");
    assertThat(r.endToEndFramesPerSecond())
        .containsOnlyKeys(
            "pipeline depth 0",
            "pipeline depth 2",
            "video only (mp4, no frames), pipeline depth 2");
    assertThat(r.videoOnlyOverPng())
        .isEqualTo(
            r.endToEndFramesPerSecond().get("video only (mp4, no frames), pipeline depth 2")
                / r.endToEndFramesPerSecond().get("pipeline depth 2"));
    assertThat(r.endToEndOverRenderOnly())
        .isEqualTo(
            r.endToEndFramesPerSecond().get("pipeline depth 2") / r.renderOnlyFramesPerSecond());
    assertThat(r.largestFittingBatch()).isPositive();
    assertThat(r.sizingAccuracy()).isBetween(0.5, 1.0);
    assertThat(dir.resolve("benchmark.json")).content().contains("\"sizingAccuracy\"");
    assertThat(dir.resolve("benchmark.html")).content().contains("data:image/png;base64,");
    Map<String, Long> sections =
        spark
            .read()
            .parquet(dir.resolve("benchmark").toString())
            .groupBy("section")
            .count()
            .collectAsList()
            .stream()
            .collect(Collectors.toMap(row -> row.getString(0), row -> row.getLong(1)));
    assertThat(sections)
        .containsKeys("sweep", "level", "render-only", "encode", "end-to-end", "ratio", "sizing");
  }
}
