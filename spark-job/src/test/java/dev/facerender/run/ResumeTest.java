package dev.facerender.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facerender.io.InputException;
import dev.facerender.job.ProgressListener;
import dev.facerender.job.RenderRequest;
import dev.facerender.job.RunFailedException;
import dev.facerender.job.RunSummary;
import dev.facerender.output.OutputLock;
import dev.facerender.output.RunManifest;
import dev.facerender.output.Staging;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A driver killed outright (SIGKILL) mid-run: append refuses to mix in its partial output, resume
 * finishes it with every frame exactly once and the pixels of an uninterrupted run, rendering only
 * the waves that were not committed; appending the same input again is refused. A driver
 * interrupted (SIGINT) says so, records the run as failed, and resumes the same way.
 */
class ResumeTest {
  private static final int CLIPS = 6;
  private static final int FRAMES = 8;
  private static final Map<String, String> CONF =
      Map.of(
          "spark.facerender.batchSize", "4",
          "spark.facerender.waveFrames", Integer.toString(FRAMES),
          "spark.facerender.pipelineDepth", "0");
  private static final Map<String, String> VIDEO = withVideo(CONF);

  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path input;
  private static Path cleanOut;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
    input = LocalSpark.demo(spark, dir, CLIPS, FRAMES, 48);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Map<String, String> withVideo(Map<String, String> conf) {
    Map<String, String> video = new HashMap<>(conf);
    video.put("spark.facerender.video", "mp4");
    return Map.copyOf(video);
  }

  /**
   * An uninterrupted video run of the input, rendered once for the tests that compare with it (a
   * video run's frames are those of a run without video).
   */
  private static synchronized Path clean() {
    if (cleanOut == null) {
      Path out = dir.resolve("clean");
      LocalSpark.render(spark, input, out, VIDEO);
      cleanOut = out;
    }
    return cleanOut;
  }

  /**
   * One killed video run proves both outputs (one child JVM, not one per output): append refuses
   * the partial output; resume renders only the waves not committed, every frame once with an
   * uninterrupted run's pixels, keeps the finished waves' videos, discards the dead run's staged
   * ones and ends with one whole MP4 per clip decoding to the uninterrupted run's frames; appending
   * the same input again is refused.
   */
  @Test
  void aKilledDriverIsResumedExactlyOnceWithCleanFramesAndVideosAndAppendNeverDuplicates()
      throws Exception {
    Path clean = clean();
    Map<String, byte[]> cleanImages = images(clean);
    assertThat(cleanImages).hasSize(CLIPS * FRAMES);

    Path out = dir.resolve("killed");
    killMidRun(out, List.of("--video", "mp4"));
    int before = committedWaves(out);
    assertThat(out.resolve("_SUCCESS")).doesNotExist();
    List<String> early = mp4s(out);
    assertThat(early).hasSizeLessThan(CLIPS);

    assertThatThrownBy(() -> render(out, "append", VIDEO))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("did not finish")
        .hasMessageContaining("--mode resume");
    assertThat(framesOf(out)).doesNotHaveDuplicates();

    RunSummary resumed = render(out, "resume", VIDEO);

    Map<String, byte[]> images = images(out);
    assertThat(images).containsOnlyKeys(cleanImages.keySet());
    images.forEach((key, png) -> assertThat(png).as(key).isEqualTo(cleanImages.get(key)));
    assertThat(resumed.renderedFrames()).isEqualTo(CLIPS * FRAMES);
    JsonNode waves = new ObjectMapper().readTree(out.resolve("run.json").toFile()).path("waves");
    assertThat(waves.path("committed_before_this_attempt").asInt()).isEqualTo(before);
    assertThat(waves.path("seconds_per_wave_this_attempt"))
        .hasSize(waves.path("total").asInt() - before)
        .allMatch(seconds -> seconds.asDouble() > 0);
    long earlier = waves.path("frames_committed_before_this_attempt").asLong();
    assertThat(earlier).isPositive().isLessThan(CLIPS * FRAMES);
    assertThat(waves.path("frames_rendered_this_attempt").asLong())
        .isEqualTo(CLIPS * FRAMES - earlier);
    assertThat(waves.path("input_frames_this_attempt").asLong())
        .isEqualTo(CLIPS * FRAMES - earlier);
    // Every batch either attempt committed is in metrics/: each frame was rendered once.
    List<Row> metrics = spark.read().parquet(out.resolve("metrics").toString()).collectAsList();
    assertThat(metrics.stream().mapToInt(r -> r.<Integer>getAs("frames")).sum())
        .isEqualTo(CLIPS * FRAMES);

    assertThat(mp4s(out)).hasSize(CLIPS).containsAll(early).doesNotHaveDuplicates();
    assertThat(mp4s(out)).containsExactlyInAnyOrderElementsOf(mp4s(clean));
    List<Row> manifest =
        spark.read().parquet(out.resolve("videos_manifest").toString()).collectAsList();
    assertThat(manifest).hasSize(CLIPS);
    assertThat(manifest.stream().map(r -> r.<String>getAs("clip_id")).distinct()).hasSize(CLIPS);
    for (Row row : manifest) {
      String file = row.getAs("file");
      assertThat(Files.size(out.resolve(file))).as(file).isEqualTo(row.<Long>getAs("bytes"));
      List<byte[]> frames = dev.facerender.video.mp4.Mp4Reader.frames(out.resolve(file));
      List<byte[]> expected = dev.facerender.video.mp4.Mp4Reader.frames(clean.resolve(file));
      assertThat(frames).as(file).hasSize(FRAMES);
      for (int i = 0; i < FRAMES; i++) {
        assertThat(frames.get(i)).as("%s frame %d", file, i).isEqualTo(expected.get(i));
      }
    }
    assertThat(out.resolve(Staging.ROOT)).doesNotExist();
    assertThat(out.resolve(OutputLock.NAME)).doesNotExist();
    assertThat(out.resolve("_SUCCESS")).exists();

    assertThatThrownBy(() -> render(out, "append", VIDEO))
        .isInstanceOf(RunFailedException.class)
        .hasMessageContaining("already in");
    assertThat(framesOf(out)).hasSize(CLIPS * FRAMES).doesNotHaveDuplicates();
  }

  /** Starts the CLI in a child JVM into {@code out} and kills it once 3 waves are committed. */
  private static void killMidRun(Path out, List<String> extra) throws Exception {
    Path log = dir.resolve(out.getFileName() + ".log");
    Process child = startOnceWaves(out, "spark", extra, log, 3);
    child.destroyForcibly().waitFor();
  }

  /**
   * The CLI rendering into {@code out} on {@code engine} in a child JVM, once {@code waves} waves
   * are committed.
   */
  private static Process startOnceWaves(
      Path out, String engine, List<String> extra, Path log, int waves) throws Exception {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "render",
                "--frames",
                input.resolve("frames").toString(),
                "--sources",
                input.resolve("sources").toString(),
                "--out",
                out.toString(),
                "--master",
                "local[2]",
                "--batch-size",
                "4",
                "--wave-frames",
                Integer.toString(FRAMES),
                "--pipeline-depth",
                "0",
                "--engine",
                engine));
    args.addAll(extra);
    Process child = ChildRender.start(log, args);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (committedWaves(out) < waves && child.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(child.isAlive())
        .as("the child was still rendering: %s", Files.readString(log))
        .isTrue();
    return child;
  }

  @Test
  void ctrlCStopsTasksBeforeModelsCloseSaysSoAndTheRunResumes() throws Exception {
    Path out = dir.resolve("interrupted");
    Path log = dir.resolve("interrupted.log");
    // Stopped after the first of six waves: the other five keep it rendering well past the
    // signal (stopped after two, a fast run once finished its last four first and exited 0).
    Process child = startOnceWaves(out, "spark", List.of(), log, 1);
    new ProcessBuilder("kill", ctrlC(), Long.toString(child.pid())).start().waitFor();
    assertThat(child.waitFor(90, TimeUnit.SECONDS)).as("the run stops").isTrue();

    String printed = Files.readString(log);
    assertThat(child.exitValue()).isNotZero();
    assertThat(printed).contains("was cancelled").contains("--mode resume");
    // Tasks were stopped before their models closed under them.
    assertThat(printed).doesNotContain("is closed");
    JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
    assertThat(run.path("status").asText()).isEqualTo("failed");
    assertThat(run.path("failure").asText()).contains("was cancelled");
    assertThat(out.resolve("_SUCCESS")).doesNotExist();
    assertThat(out.resolve(OutputLock.NAME)).doesNotExist();

    // The Spark run resumes on the local engine: the plan and the waves are the run's.
    RunSummary resumed =
        LocalSpark.localEngine(
                new RenderRequest(
                    input.resolve("frames").toString(),
                    input.resolve("sources").toString(),
                    out.toString(),
                    null,
                    "resume",
                    0,
                    CONF))
            .run(ProgressListener.NONE);
    assertThat(resumed.renderedFrames()).isEqualTo(CLIPS * FRAMES);
    assertThat(framesOf(out)).hasSize(CLIPS * FRAMES).doesNotHaveDuplicates();
    JsonNode resumedRun = new ObjectMapper().readTree(out.resolve("run.json").toFile());
    assertThat(resumedRun.path("engine").asText()).isEqualTo("local");
    assertThat(resumedRun.path("waves").path("committed_before_this_attempt").asInt())
        .isGreaterThanOrEqualTo(1);
    assertThat(out.resolve("_SUCCESS")).exists();
  }

  /**
   * A local engine run killed after two of its waves: those stay committed, and Spark resumes it,
   * rendering only the other waves, to the frames of an uninterrupted run.
   */
  @Test
  void aKilledLocalEngineRunResumesOnSparkRenderingOnlyTheWavesLeft() throws Exception {
    Path out = dir.resolve("local-killed");
    Process child = startOnceWaves(out, "local", List.of(), dir.resolve("local-killed.log"), 2);
    child.destroyForcibly().waitFor();
    int before = committedWaves(out);
    assertThat(before).isGreaterThanOrEqualTo(2).isLessThan(CLIPS);
    assertThat(out.resolve("_SUCCESS")).doesNotExist();

    RunSummary resumed = render(out, "resume");
    assertThat(resumed.renderedFrames()).isEqualTo(CLIPS * FRAMES);
    JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
    assertThat(run.path("engine").asText()).isEqualTo("spark");
    assertThat(run.path("waves").path("committed_before_this_attempt").asInt()).isEqualTo(before);
    Map<String, byte[]> cleanImages = images(clean());
    Map<String, byte[]> images = images(out);
    assertThat(images).containsOnlyKeys(cleanImages.keySet());
    images.forEach(
        (key, png) ->
            assertThat(LocalSpark.maxDifference(png, cleanImages.get(key)))
                .as(key)
                .isLessThanOrEqualTo(1));
    assertThat(out.resolve(Staging.ROOT)).doesNotExist();
    assertThat(out.resolve("_SUCCESS")).exists();
  }

  private static List<String> mp4s(Path out) throws java.io.IOException {
    try (java.util.stream.Stream<Path> files = Files.list(out.resolve("videos"))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".mp4")).toList();
    } catch (java.nio.file.NoSuchFileException e) {
      return List.of();
    }
  }

  private static RunSummary render(Path out, String mode) {
    return render(out, mode, CONF);
  }

  private static RunSummary render(Path out, String mode, Map<String, String> conf) {
    return new SparkEngine(spark)
        .run(
            new RenderRequest(
                input.resolve("frames").toString(),
                input.resolve("sources").toString(),
                out.toString(),
                null,
                mode,
                0,
                conf),
            ProgressListener.NONE);
  }

  /**
   * Counts committed wave manifests by name only: the child renames temporary manifests while we
   * look, so nothing here may stat a file that was listed a moment ago.
   */
  private static int committedWaves(Path out) {
    String[] runs = out.resolve(RunManifest.RUNS).toFile().list();
    if (runs == null) {
      return 0;
    }
    int count = 0;
    for (String run : runs) {
      String[] names = out.resolve(RunManifest.RUNS).resolve(run).toFile().list();
      for (String name : names == null ? new String[0] : names) {
        if (name.matches("wave-\\d+\\.json")) {
          count++;
        }
      }
    }
    return count;
  }

  private static List<String> framesOf(Path out) {
    return LocalSpark.frames(spark, out).stream()
        .map(r -> r.getAs("clip_id") + "#" + r.getAs("frame_index"))
        .toList();
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

  /**
   * SIGINT, as Ctrl-C in a terminal sends it; SIGTERM where this JVM started with SIGINT ignored (a
   * background job of a non-interactive shell): the child inherits that, and a JVM leaves a signal
   * ignored at its start ignored. Both run the same shutdown hooks.
   */
  private static String ctrlC() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("SigIgn:")) {
        long ignored = Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16);
        return (ignored & (1L << 1)) != 0 ? "-TERM" : "-INT";
      }
    }
    return "-INT";
  }
}
