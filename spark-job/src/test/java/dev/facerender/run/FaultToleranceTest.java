package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.job.RunSummary;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Injected OOMs and a dying task attempt lose, duplicate and change nothing. The OOM cases render
 * on the local engine (split and retry are the executor's, the same on both engines); a dying
 * attempt is Spark's retry, so those render on Spark.
 */
class FaultToleranceTest {
  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path input;
  private static Map<String, byte[]> clean;

  @BeforeAll
  static void start() {
    // local[2,3]: two slots, up to three attempts per task.
    spark = LocalSpark.start("local[2,3]");
    input = LocalSpark.demo(spark, dir, 3, 16, 64);
    Path out = dir.resolve("clean");
    LocalSpark.render(
        spark,
        input,
        out,
        Map.of("spark.facerender.batchSize", "4", "spark.facerender.pipelineDepth", "0"));
    clean = images(out);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void randomOomsAreRetriedAndTheFramesArePixelIdenticalToACleanRun() {
    Path out = dir.resolve("rate");
    RunSummary run =
        LocalSpark.renderLocally(
            input,
            out,
            Map.of(
                "spark.facerender.batchSize", "4",
                "spark.facerender.injectOomRate", "0.3",
                "spark.facerender.seed", "7",
                // The clean run renders on the task thread; this one through the render thread.
                "spark.facerender.pipelineDepth", "2"));

    assertThat(run.errorFrames()).isZero();
    assertThat(run.ooms()).isPositive();
    assertThat(run.splits()).isPositive();
    Map<String, byte[]> images = images(out);
    assertThat(images).hasSize(48).containsOnlyKeys(clean.keySet());
    images.forEach((key, png) -> assertThat(png).as(key).isEqualTo(clean.get(key)));
    List<Row> metrics = spark.read().parquet(out.resolve("metrics").toString()).collectAsList();
    assertThat(metrics.stream().mapToInt(r -> r.<Integer>getAs("ooms")).sum())
        .isEqualTo(run.ooms());
  }

  /** The enhancer runs inside the batch, so split-and-retry covers it like the renderer. */
  @Test
  void theEnhancerChangesTheFramesAndSurvivesOomsWithTheSamePixels() {
    Map<String, String> sharpen =
        Map.of("spark.facerender.batchSize", "4", "spark.facerender.enhancer", "builtin:sharpen");
    Map<String, byte[]> enhanced = images(render("sharpen", sharpen));
    Map<String, String> withOoms = new HashMap<>(sharpen);
    withOoms.put("spark.facerender.injectOomRate", "0.3");
    withOoms.put("spark.facerender.seed", "11");
    // A lone frame may draw five injected OOMs in a row and become an error row: what matters is
    // that every frame is either the clean enhanced frame or such a row, never another picture.
    withOoms.put("spark.facerender.maxErrorRate", "1");
    Path out = dir.resolve("sharpen-ooms");
    RunSummary run = LocalSpark.renderLocally(input, out, withOoms);

    assertThat(enhanced).hasSize(48);
    assertThat(
            enhanced.keySet().stream().filter(k -> !Arrays.equals(enhanced.get(k), clean.get(k))))
        .hasSizeGreaterThan(40);
    assertThat(run.ooms()).isPositive();
    Map<String, byte[]> retried = images(out);
    assertThat(enhanced).containsKeys(retried.keySet().toArray(String[]::new));
    retried.forEach((key, png) -> assertThat(png).as(key).isEqualTo(enhanced.get(key)));
    assertThat(run.errors()).allSatisfy(e -> assertThat(e.code()).isEqualTo("OUT_OF_MEMORY"));
    assertThat(retried.size() + run.errorFrames()).isEqualTo(48);
    assertThat(retried.size()).isGreaterThan(40);
  }

  private static Path render(String name, Map<String, String> conf) {
    Path out = dir.resolve(name);
    LocalSpark.renderLocally(input, out, conf);
    return out;
  }

  @Test
  void afterTheFirstOomNoBatchIsPlannedAboveTheSizeThatWorked() {
    Path out = dir.resolve("above");
    RunSummary run =
        LocalSpark.renderLocally(
            input,
            out,
            Map.of("spark.facerender.batchSize", "8", "spark.facerender.injectOomAbove", "3"));

    assertThat(run.renderedFrames()).isEqualTo(48);
    Map<Integer, List<Row>> byPartition =
        spark.read().parquet(out.resolve("metrics").toString()).collectAsList().stream()
            .collect(Collectors.groupingBy(r -> r.<Integer>getAs("partition")));
    for (List<Row> rows : byPartition.values()) {
      rows.sort(Comparator.comparingLong(r -> r.<Long>getAs("batch_seq")));
      assertThat(rows.get(0).<Integer>getAs("ooms")).isPositive();
      assertThat(rows.get(0).<Integer>getAs("planned_batch")).isEqualTo(8);
      for (Row later : rows.subList(1, rows.size())) {
        assertThat(later.<Integer>getAs("ceiling")).isLessThanOrEqualTo(3);
        assertThat(later.<Integer>getAs("actual_batch")).isLessThanOrEqualTo(3);
        assertThat(later.<Integer>getAs("ooms")).isZero();
      }
    }
  }

  @Test
  void aTaskWhoseFirstAttemptDiesStillWritesEveryFrameExactlyOnce() {
    Path out = dir.resolve("retried");
    RunSummary run =
        LocalSpark.render(
            spark,
            input,
            out,
            Map.of(
                "spark.facerender.batchSize", "4",
                "spark.facerender.injectTaskFailure", "true",
                // A task dying with batches in flight on its render thread.
                "spark.facerender.pipelineDepth", "2"));

    assertThat(run.renderedFrames()).isEqualTo(48);
    Map<String, byte[]> images = images(out);
    assertThat(images).hasSize(48);
    assertThat(LocalSpark.frames(spark, out)).hasSize(48);
    images.forEach((key, png) -> assertThat(png).as(key).isEqualTo(clean.get(key)));
    List<Row> metrics = spark.read().parquet(out.resolve("metrics").toString()).collectAsList();
    assertThat(metrics).allSatisfy(r -> assertThat(r.<Integer>getAs("attempt")).isEqualTo(1));
    assertThat(metrics.stream().mapToInt(r -> r.<Integer>getAs("frames")).sum()).isEqualTo(48);
  }

  /**
   * Clips of two frames, so a first batch spans two clips: the dying attempt has finished and
   * staged its first clip's MP4 before it dies. Only the retry's files are committed.
   */
  @Test
  void aTaskWhoseFirstAttemptDiesAfterStagingAVideoCommitsEachClipOnce() throws Exception {
    Path shortClips = LocalSpark.demo(spark, dir.resolve("short"), 6, 2, 64);
    Map<String, String> video =
        Map.of(
            "spark.facerender.batchSize", "4",
            "spark.facerender.video", "mp4",
            "spark.facerender.framesFormat", "none");
    Path clean = dir.resolve("video-clean");
    LocalSpark.render(spark, shortClips, clean, video);
    Map<String, String> failing = new HashMap<>(video);
    failing.put("spark.facerender.injectTaskFailure", "true");
    Path out = dir.resolve("video-retried");
    RunSummary run = LocalSpark.render(spark, shortClips, out, failing);

    assertThat(run.renderedFrames()).isEqualTo(12);
    List<Row> manifest =
        spark.read().parquet(out.resolve("videos_manifest").toString()).collectAsList();
    assertThat(manifest)
        .hasSize(6)
        .allSatisfy(r -> assertThat(r.<Integer>getAs("attempt")).isOne());
    assertThat(manifest.stream().map(r -> r.<String>getAs("clip_id")).distinct()).hasSize(6);
    // Some partition held two clips, so its dying attempt had staged one.
    assertThat(manifest.stream().collect(Collectors.groupingBy(r -> r.getAs("partition"))))
        .anySatisfy((partition, rows) -> assertThat(rows).hasSizeGreaterThan(1));
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(out.resolve("videos"))) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .hasSize(6)
          .allSatisfy(name -> assertThat(name).endsWith(".mp4"));
    }
    for (Row clip : manifest) {
      String file = clip.getAs("file");
      List<byte[]> frames = dev.facerender.video.mp4.Mp4Reader.frames(out.resolve(file));
      List<byte[]> expected = dev.facerender.video.mp4.Mp4Reader.frames(clean.resolve(file));
      assertThat(frames).hasSize(2);
      for (int i = 0; i < frames.size(); i++) {
        assertThat(frames.get(i)).as("%s frame %d", file, i).isEqualTo(expected.get(i));
      }
    }
  }

  private static Map<String, byte[]> images(Path out) {
    Map<String, byte[]> images = new HashMap<>();
    for (Row frame : LocalSpark.frames(spark, out)) {
      byte[] previous =
          images.put(
              frame.getAs("clip_id") + "#" + frame.getAs("frame_index"), frame.getAs("image"));
      assertThat(previous).as("duplicate frame").isNull();
    }
    return images;
  }
}
