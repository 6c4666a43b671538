package dev.facerender.run;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.job.ProgressListener;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunSummary;
import dev.facerender.video.mp4.Mp4Reader;
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
 * other. Video runs, with frames and without, write the same MP4s (manifest rows and decoded
 * frames).
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

  @ParameterizedTest(name = "{0} frames, video {3}, --mode {1}, waves of {2} frames")
  // Every output with at least two modes and every mode with at least two outputs, one wave and
  // several: the mode's logic is the run's (RunFlow), the same on both engines, so the full
  // cross product would test it again, not the engines.
  @CsvSource({
    "png, error-if-exists, 100000, none",
    "png, append, 7, mp4",
    "jpeg, error-if-exists, 6, none",
    "raw, overwrite, 6, none",
    "raw, append, 100000, none",
    "none, error-if-exists, 6, mp4",
    "none, overwrite, 100000, mp4"
  })
  void bothEnginesWriteTheSameTables(String format, String mode, int waveFrames, String video)
      throws Exception {
    Map<String, String> conf =
        Map.of(
            "spark.facerender.framesFormat",
            format,
            "spark.facerender.waveFrames",
            Integer.toString(waveFrames),
            "spark.facerender.video",
            video);
    String name = format + "-" + mode + "-" + waveFrames + "-" + video;
    Path viaSpark = dir.resolve("spark-" + name);
    Path viaLocal = dir.resolve("local-" + name);
    boolean filled = !mode.equals("error-if-exists");
    if (filled) {
      // A finished run of other clips in each folder first: overwrite must leave none of it,
      // append all of it.
      render(new SparkEngine(spark)::run, other, viaSpark, "error-if-exists", conf);
      local(other, viaLocal, "error-if-exists", conf);
    }
    RunSummary sparkRun = render(new SparkEngine(spark)::run, input, viaSpark, mode, conf);
    RunSummary localRun = local(input, viaLocal, mode, conf);

    assertThat(localRun.inputFrames()).isEqualTo(sparkRun.inputFrames()).isEqualTo(18);
    assertThat(localRun.renderedFrames()).isEqualTo(sparkRun.renderedFrames()).isEqualTo(18);
    assertThat(localRun.errorFrames()).isEqualTo(sparkRun.errorFrames());
    assertThat(localRun.errorCodes()).isEqualTo(sparkRun.errorCodes());
    int expected = mode.equals("append") ? 18 + 8 : 18;
    if (!video.equals("none")) {
      sameVideos(viaSpark, viaLocal, expected);
    }
    List<Row> a = format.equals("none") ? List.of() : LocalSpark.frames(spark, viaSpark);
    List<Row> b = format.equals("none") ? List.of() : LocalSpark.frames(spark, viaLocal);
    assertThat(b).hasSize(format.equals("none") ? 0 : expected).hasSameSizeAs(a);
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

  /** The same videos (manifest rows and decoded frames) in both folders, {@code frames} in all. */
  private static void sameVideos(Path viaSpark, Path viaLocal, int frames) throws Exception {
    List<String> columns = List.of("clip_id", "file", "frames", "fps", "duration_seconds", "audio");
    List<Row> a =
        spark
            .read()
            .parquet(viaSpark.resolve("videos_manifest").toString())
            .select(columns.get(0), columns.subList(1, columns.size()).toArray(String[]::new))
            .orderBy("clip_id")
            .collectAsList();
    List<Row> b =
        spark
            .read()
            .parquet(viaLocal.resolve("videos_manifest").toString())
            .select(columns.get(0), columns.subList(1, columns.size()).toArray(String[]::new))
            .orderBy("clip_id")
            .collectAsList();
    assertThat(b).isEqualTo(a);
    assertThat(a.stream().mapToLong(r -> r.<Long>getAs("frames")).sum()).isEqualTo(frames);
    for (Row video : a) {
      String file = video.getAs("file");
      List<byte[]> x = Mp4Reader.frames(viaSpark.resolve(file));
      List<byte[]> y = Mp4Reader.frames(viaLocal.resolve(file));
      assertThat(y).as(file).hasSameSizeAs(x);
      for (int i = 0; i < x.size(); i++) {
        int most = 0;
        for (int p = 0; p < x.get(i).length; p++) {
          most = Math.max(most, Math.abs((x.get(i)[p] & 0xff) - (y.get(i)[p] & 0xff)));
        }
        // A rendered pixel off by one may move an encoded block's values by a few levels.
        assertThat(most).as("%s frame %d", file, i).isLessThanOrEqualTo(8);
      }
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
