package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationCacheTest {
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
  void aSecondRunStartsFromTheKeptCalibrationAndRendersTheSameFrames() throws Exception {
    Path input = LocalSpark.demo(spark, dir, 2, 12, 72);
    String cache = dir.resolve("calibrations").toString();
    // Each run on a CPU device of a budget no other test asks for: a device this executor has not
    // calibrated, as in a fresh executor JVM, with only the folder to start from.
    LocalSpark.render(spark, input, dir.resolve("first"), freshExecutor(cache, "0.4375"));
    JsonNode first = calibration(dir.resolve("first"));
    assertThat(first.get("measured_plans").asLong()).isPositive();
    assertThat(first.get("measuring_seconds").asDouble()).isPositive();
    try (var files = Files.list(dir.resolve("calibrations"))) {
      assertThat(files.filter(f -> f.toString().endsWith(".calibration"))).hasSize(1);
    }

    LocalSpark.render(spark, input, dir.resolve("second"), freshExecutor(cache, "0.46875"));
    JsonNode second = calibration(dir.resolve("second"));
    assertThat(second.get("measured_plans").asLong()).isZero();
    assertThat(second.get("cached_plans").asLong()).isPositive();
    assertThat(second.get("measuring_seconds").asDouble()).isZero();

    List<Row> a = LocalSpark.frames(spark, dir.resolve("first"));
    List<Row> b = LocalSpark.frames(spark, dir.resolve("second"));
    assertThat(b).hasSameSizeAs(a).hasSize(24);
    for (int i = 0; i < a.size(); i++) {
      assertThat((byte[]) b.get(i).getAs("image")).isEqualTo((byte[]) a.get(i).getAs("image"));
    }
  }

  private static Map<String, String> freshExecutor(String cache, String cpuMemoryFraction) {
    return Map.of(
        "spark.facerender.calibrationCache",
        cache,
        "spark.facerender.cpuMemoryFraction",
        cpuMemoryFraction);
  }

  private static JsonNode calibration(Path out) throws Exception {
    return new ObjectMapper().readTree(out.resolve("run.json").toFile()).get("calibration");
  }
}
