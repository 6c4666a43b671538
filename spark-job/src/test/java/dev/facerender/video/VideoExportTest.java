package dev.facerender.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.facerender.codec.RgbImage;
import dev.facerender.export.VideoExport;
import dev.facerender.io.InputException;
import dev.facerender.io.SafeNames;
import dev.facerender.output.RunManifest;
import dev.facerender.run.LocalSpark;
import dev.facerender.video.mp4.Mp4Reader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A finished PNG run exported as MP4s: every file decoded back against the run's PNG frames (count,
 * exact rate, PSNR), audio from the sources table, the manifest, and videos written once.
 */
class VideoExportTest {
  private static final int FRAMES = 12;
  private static final FrameRate NTSC = new FrameRate(30000, 1001);
  private static final double SECONDS = NTSC.seconds(FRAMES);

  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path input;
  private static List<String> clips;

  @BeforeAll
  static void input() {
    spark = LocalSpark.start("local[2]");
    Path demo = LocalSpark.demo(spark, dir, 3, FRAMES, 128);
    List<Row> sources =
        spark.read().parquet(demo.resolve("sources").toString()).orderBy("clip_id").collectAsList();
    List<Row> withAudio = new ArrayList<>();
    clips = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      Row s = sources.get(i);
      Object[] values = new Object[s.size() + 1];
      for (int c = 0; c < s.size(); c++) {
        values[c] = s.get(c);
      }
      // The first clip speaks; the others are silent.
      values[s.size()] = i == 0 ? Wav.tone(44100, 2, SECONDS, 440) : null;
      withAudio.add(RowFactory.create(values));
      clips.add(s.getAs("clip_id"));
    }
    StructType schema = sources.get(0).schema().add("audio", DataTypes.BinaryType);
    input = dir.resolve("with-audio");
    spark.createDataFrame(withAudio, schema).write().parquet(input.resolve("sources").toString());
    spark
        .read()
        .parquet(demo.resolve("frames").toString())
        .write()
        .parquet(input.resolve("frames").toString());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void aFinishedPngRunBecomesOneMp4PerClipMatchingItsFrames() throws IOException {
    Path out = dir.resolve("png-run");
    LocalSpark.render(spark, input, out, Map.of());
    assertThat(out.resolve("videos")).doesNotExist();

    VideoExport.Result result =
        VideoExport.export(
            spark,
            out.toString(),
            input.resolve("sources").toString(),
            null,
            Map.of("spark.facerender.fps", "30000/1001"),
            List.of());

    assertThat(result.videos()).isEqualTo(3);
    assertThat(result.frames()).isEqualTo(3L * FRAMES);
    assertThat(mp4s(out))
        .containsExactlyInAnyOrderElementsOf(
            clips.stream().map(c -> SafeNames.of(c) + ".mp4").toList());
    assertThat(out.resolve("_staging")).doesNotExist();
    List<Row> frames = LocalSpark.frames(spark, out);
    for (int c = 0; c < clips.size(); c++) {
      String clip = clips.get(c);
      List<RgbImage> pngs =
          frames.stream()
              .filter(f -> f.getAs("clip_id").equals(clip))
              .map(LocalSpark::decode)
              .toList();
      Path mp4 = out.resolve("videos").resolve(SafeNames.of(clip) + ".mp4");
      double psnr = VideoAsserts.matches(mp4, NTSC, pngs, 35);
      System.out.printf("exported clip %s: %d frames, worst PSNR %.1f dB%n", clip, FRAMES, psnr);
      Mp4Reader.Info info = Mp4Reader.read(mp4, null);
      if (c == 0) {
        assertThat(info.audioCodec()).isEqualTo("aac");
        assertThat(info.audioSeconds()).isCloseTo(SECONDS, within(0.03));
      } else {
        assertThat(info.audioCodec()).isNull();
      }
      if (VideoAsserts.hasFfprobe()) {
        assertThat(VideoAsserts.ffprobe(mp4, "v:0"))
            .containsEntry("avg_frame_rate", "30000/1001")
            .containsEntry("nb_read_frames", Integer.toString(FRAMES));
      }
    }
    List<Row> manifest =
        spark.read().parquet(out.resolve("videos_manifest").toString()).collectAsList();
    assertThat(manifest).hasSize(3);
    assertThat(manifest)
        .allSatisfy(
            r -> {
              assertThat(r.<Long>getAs("frames")).isEqualTo(FRAMES);
              assertThat(r.<String>getAs("fps")).isEqualTo("30000/1001");
              assertThat(r.<String>getAs("run_id")).isNotNull();
            });

    // Written once: a second export is refused and leaves the videos as they were.
    long size = Files.size(out.resolve("videos").resolve(SafeNames.of(clips.get(0)) + ".mp4"));
    exportIsRefusedLeavingThreeVideos(out, size);

    // The export committed as a video-only wave of its own record. A crash after that record and
    // before its moves (put back here) is finished by the next export, which then refuses.
    JsonNode wave = exportWave(out);
    assertThat(wave.get("videos").asLong()).isEqualTo(3);
    assertThat(wave.get("frames").asLong()).isZero();
    for (JsonNode move : wave.get("moves")) {
      Path staged = out.resolve(move.get("from").asText());
      Files.createDirectories(staged.getParent());
      Files.move(out.resolve(move.get("to").asText()), staged);
    }
    Files.delete(out.resolve("videos_manifest/_SUCCESS"));
    assertThat(mp4s(out)).isEmpty();
    exportIsRefusedLeavingThreeVideos(out, size);
    assertThat(out.resolve("videos_manifest/_SUCCESS")).exists();
    assertThat(spark.read().parquet(out.resolve("videos_manifest").toString()).count())
        .isEqualTo(3);
    assertThat(out.resolve("_staging")).doesNotExist();
  }

  /** An export into {@code out} is refused; its 3 videos stay, the first {@code size} bytes. */
  private static void exportIsRefusedLeavingThreeVideos(Path out, long size) throws IOException {
    assertThatThrownBy(
            () -> VideoExport.export(spark, out.toString(), null, null, Map.of(), List.of()))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("already holds videos");
    assertThat(mp4s(out)).hasSize(3);
    assertThat(Files.size(out.resolve("videos").resolve(SafeNames.of(clips.get(0)) + ".mp4")))
        .isEqualTo(size);
  }

  /** The one wave record of the folder's one export. */
  private static JsonNode exportWave(Path out) throws IOException {
    try (Stream<Path> runs = Files.list(out.resolve(RunManifest.RUNS))) {
      List<Path> exports =
          runs.filter(r -> r.getFileName().toString().startsWith("export-")).toList();
      assertThat(exports).hasSize(1);
      return new ObjectMapper().readTree(exports.get(0).resolve("wave-00000.json").toFile());
    }
  }

  @Test
  void aRawRunExportsItsPixelsAndAFolderWithoutAFinishedRunIsRefused() throws IOException {
    Path out = dir.resolve("raw-run");
    LocalSpark.render(spark, input, out, Map.of("spark.facerender.framesFormat", "raw"));
    VideoExport.Result result =
        VideoExport.export(spark, out.toString(), null, null, Map.of(), List.of(clips.get(1)));
    assertThat(result.videos()).isEqualTo(1);
    Path mp4 = out.resolve("videos").resolve(SafeNames.of(clips.get(1)) + ".mp4");
    Mp4Reader.Info info = Mp4Reader.read(mp4, null);
    assertThat(info.decodedFrames()).isEqualTo(FRAMES);
    assertThat(info.frameRate()).isEqualTo(new FrameRate(25, 1));

    Path empty = Files.createDirectories(dir.resolve("not-a-run"));
    assertThatThrownBy(
            () -> VideoExport.export(spark, empty.toString(), null, null, Map.of(), List.of()))
        .isInstanceOf(InputException.class)
        .hasMessageContaining("No finished run");
  }

  private static List<String> mp4s(Path out) throws IOException {
    try (Stream<Path> files = Files.list(out.resolve("videos"))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".mp4")).toList();
    }
  }
}
