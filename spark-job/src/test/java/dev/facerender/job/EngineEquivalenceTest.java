package dev.facerender.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Both engines, every frame format and each mode that starts a run: the same frame rows (keys and
 * pixels), the same error rows, the same counts, in one wave or several. Overwrite and append run
 * over a folder a previous run filled, so what they replace or keep is checked too. Resume, which
 * needs a run killed mid-way, is {@link ResumeTest}'s: a run killed on either engine resumes on the
 * other. (Video runs are the Spark engine's alone: {@link LocalEngineTest} checks that they are
 * left to it, with the reason.)
 */
class EngineEquivalenceTest {
  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path input;
  private static Path other;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
    input = LocalSpark.demo(spark, dir.resolve("a"), 3, 6, 48);
    // Other clips (their own ids), so appending the input to them adds and replaces nothing.
    Path demo = LocalSpark.demo(spark, dir.resolve("b"), 2, 4, 48);
    other = dir.resolve("other");
    for (String table : List.of("frames", "sources")) {
      spark
          .read()
          .parquet(demo.resolve(table).toString())
          .withColumn("clip_id", concat(lit("other-"), col("clip_id")))
          .write()
          .parquet(other.resolve(table).toString());
    }
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @ParameterizedTest(name = "{0} frames, --mode {1}, waves of {2} frames")
  @CsvSource({
    "png, error-if-exists, 100000",
    "png, overwrite, 100000",
    "png, append, 7",
    "jpeg, error-if-exists, 6",
    "raw, error-if-exists, 100000",
    "raw, overwrite, 6",
    "raw, append, 100000"
  })
  void bothEnginesWriteTheSameTables(String format, String mode, int waveFrames) throws Exception {
    Map<String, String> conf =
        Map.of(
            "spark.facerender.framesFormat",
            format,
            "spark.facerender.waveFrames",
            Integer.toString(waveFrames));
    String name = format + "-" + mode + "-" + waveFrames;
    Path viaSpark = dir.resolve("spark-" + name);
    Path viaLocal = dir.resolve("local-" + name);
    boolean filled = !mode.equals("error-if-exists");
    if (filled) {
      // A finished run of other clips in each folder first: overwrite must leave none of it,
      // append all of it.
      render(new RenderJob(spark)::run, other, viaSpark, "error-if-exists", conf);
      local(other, viaLocal, "error-if-exists", conf);
    }
    RunSummary sparkRun = render(new RenderJob(spark)::run, input, viaSpark, mode, conf);
    RunSummary localRun = local(input, viaLocal, mode, conf);

    assertThat(localRun.inputFrames()).isEqualTo(sparkRun.inputFrames()).isEqualTo(18);
    assertThat(localRun.renderedFrames()).isEqualTo(sparkRun.renderedFrames()).isEqualTo(18);
    assertThat(localRun.errorFrames()).isEqualTo(sparkRun.errorFrames());
    assertThat(localRun.errorCodes()).isEqualTo(sparkRun.errorCodes());
    List<Row> a = LocalSpark.frames(spark, viaSpark);
    List<Row> b = LocalSpark.frames(spark, viaLocal);
    assertThat(b).hasSize(mode.equals("append") ? 18 + 8 : 18).hasSameSizeAs(a);
    for (int i = 0; i < a.size(); i++) {
      for (String key : List.of("clip_id", "frame_index", "width", "height", "format")) {
        assertThat(b.get(i).<Object>getAs(key)).as(key).isEqualTo(a.get(i).getAs(key));
      }
      assertThat(b.get(i).<String>getAs("format")).isEqualTo(format);
      byte[] x = pixels(a.get(i), format);
      byte[] y = pixels(b.get(i), format);
      assertThat(y).hasSameSizeAs(x);
      int most = 0;
      for (int p = 0; p < x.length; p++) {
        most = Math.max(most, Math.abs((x[p] & 0xff) - (y[p] & 0xff)));
      }
      // Batches cut differently may round a value the other way; JPEG spreads that over a block.
      assertThat(most)
          .as("largest pixel difference")
          .isLessThanOrEqualTo(format.equals("jpeg") ? 8 : 1);
    }
    assertThat(LocalSpark.errorRows(spark, viaLocal))
        .isEqualTo(LocalSpark.errorRows(spark, viaSpark));
    for (Path out : List.of(viaSpark, viaLocal)) {
      assertThat(out.resolve("_SUCCESS")).exists();
      assertThat(Files.readString(out.resolve("run.json"))).contains("\"status\" : \"succeeded\"");
    }
  }

  private interface SparkRender {
    RunSummary run(RenderRequest request, ProgressListener progress);
  }

  private static RunSummary render(
      SparkRender engine, Path in, Path out, String mode, Map<String, String> conf) {
    return engine.run(LocalSpark.request(in, out, mode, conf), ProgressListener.NONE);
  }

  private static RunSummary local(Path in, Path out, String mode, Map<String, String> conf) {
    return LocalSpark.localEngine(LocalSpark.request(in, out, mode, conf))
        .run(ProgressListener.NONE);
  }

  private static byte[] pixels(Row frame, String format) {
    return format.equals("raw") ? frame.getAs("image") : LocalSpark.decode(frame).bgr();
  }
}
