package dev.facerender.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.job.ProgressListener;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunFailedException;
import dev.facerender.job.RunSummary;
import dev.facerender.output.query.RunTables;
import dev.facerender.run.LocalSpark;
import dev.facerender.run.SparkEngine;
import dev.facerender.schedule.local.FileScan;
import dev.facerender.schedule.spark.SparkScan;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit side of videos: a video-only run appended again is refused before its wave commits
 * (its frames are not in frames/, its videos are in videos/), and the committed check tells a
 * partial or missing video from a whole one by a listing.
 */
class VideoCommitTest {
  private static final int CLIPS = 4;
  private static final int FRAMES = 6;
  private static final Map<String, String> VIDEO_ONLY =
      Map.of(
          "spark.facerender.video", "mp4",
          "spark.facerender.framesFormat", "none",
          "spark.facerender.waveFrames", Integer.toString(2 * FRAMES));

  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path input;

  /** One finished video-only run; each test works on a copy of its folder. */
  private static Path finished;

  private static RunSummary finishedRun;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
    input = LocalSpark.demo(spark, dir, CLIPS, FRAMES, 32);
    finished = dir.resolve("finished");
    finishedRun = LocalSpark.render(spark, input, finished, VIDEO_ONLY);
  }

  /** A copy of the finished run's folder at {@code name}. */
  private static Path copyOfFinished(String name) throws IOException {
    Path copy = dir.resolve(name);
    try (Stream<Path> paths = Files.walk(finished)) {
      for (Path from : paths.toList()) {
        Files.copy(from, copy.resolve(finished.relativize(from).toString()));
      }
    }
    return copy;
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void appendingTheSameVideoOnlyInputIsRefusedAndLeavesTheVideosAsTheyWere() throws IOException {
    Path out = copyOfFinished("appended");
    assertThat(finishedRun.renderedFrames()).isEqualTo(CLIPS * FRAMES);
    assertThat(LocalSpark.frames(spark, out)).isEmpty();
    Map<String, Long> before = sizes(out.resolve("videos"));
    assertThat(before).hasSize(CLIPS);

    Map<String, String> append = new HashMap<>(VIDEO_ONLY);
    assertThatThrownBy(
            () ->
                new SparkEngine(spark)
                    .run(
                        new RenderRequest(
                            input.resolve("frames").toString(),
                            input.resolve("sources").toString(),
                            out.toString(),
                            null,
                            "append",
                            0,
                            append),
                        ProgressListener.NONE))
        .isInstanceOf(RunFailedException.class)
        .hasMessageContaining("is already in the output")
        .hasMessageContaining("--mode append adds only new clips");

    assertThat(sizes(out.resolve("videos"))).isEqualTo(before);
    assertThat(spark.read().parquet(out.resolve("videos_manifest").toString()).count())
        .isEqualTo(CLIPS);
    assertThat(out.resolve("_SUCCESS")).doesNotExist();
  }

  @Test
  void theCommittedCheckFindsAPartialAndAMissingVideoByAListing() throws IOException {
    Path out = copyOfFinished("checked");
    OutputFolder folder = OutputFolder.of(spark, out.toString());
    // Both readers of the manifest: Spark's and this JVM's.
    List<RunTables> readers =
        List.of(
            new RunTables(new SparkScan(spark)), new RunTables(new FileScan(new Configuration())));
    for (RunTables tables : readers) {
      assertThat(tables.videoFailure(folder, finishedRun.runId())).isNull();
    }

    List<Path> videos;
    try (Stream<Path> files = Files.list(out.resolve("videos"))) {
      videos = files.sorted().toList();
    }
    try (RandomAccessFile file = new RandomAccessFile(videos.get(0).toFile(), "rw")) {
      file.setLength(file.length() / 2);
    }
    for (RunTables tables : readers) {
      assertThat(tables.videoFailure(folder, finishedRun.runId()))
          .contains(videos.get(0).getFileName().toString())
          .contains("a partial video");
    }

    Files.delete(videos.get(1));
    Files.delete(videos.get(0));
    for (RunTables tables : readers) {
      assertThat(tables.videoFailure(folder, finishedRun.runId()))
          .contains("is in videos_manifest but not in");
    }
  }

  private static Map<String, Long> sizes(Path folder) throws IOException {
    Map<String, Long> sizes = new HashMap<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path f : files.toList()) {
        sizes.put(f.getFileName().toString(), Files.size(f));
      }
    }
    return sizes;
  }
}
