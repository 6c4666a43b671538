package dev.facerender.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.facerender.codec.RgbImage;
import dev.facerender.io.SafeNames;
import dev.facerender.job.RunSummary;
import dev.facerender.run.LocalSpark;
import dev.facerender.video.mp4.H264Encoders;
import dev.facerender.video.mp4.Mp4Reader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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
 * Renders clips with audio good and bad into MP4s and reads every file back: frames, exact rate,
 * durations, pixels against the PNG frames of the same run, the audio stream, and the error codes
 * of the clips whose audio cannot be used.
 */
class VideoRenderTest {
  private static final int FRAMES = 12;
  private static final FrameRate NTSC = new FrameRate(30000, 1001);
  private static final double SECONDS = NTSC.seconds(FRAMES);

  private static SparkSession spark;
  @TempDir static Path dir;
  private static Path input;

  @BeforeAll
  static void input() {
    spark = LocalSpark.start("local[2]");
    // 128 px: at 64 px, yuv420p's halved chroma alone holds a face to ~34-35 dB even at CRF 18.
    Path demo = LocalSpark.demo(spark, dir, 7, FRAMES, 128);
    List<Row> sources =
        spark.read().parquet(demo.resolve("sources").toString()).orderBy("clip_id").collectAsList();
    byte[] wav = Wav.tone(44100, 2, SECONDS + 0.01, 440);
    byte[] zeroHz = Wav.tone(16000, 1, 0.3, 440);
    ByteBuffer.wrap(zeroHz).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 0);
    List<byte[]> audio =
        Arrays.asList(
            wav, // within one frame of the video
            null, // no audio: a silent video
            Wav.tone(16000, 1, 3.0, 220), // 3 s against 0.4 s
            Arrays.copyOf(wav, wav.length / 3), // truncated
            "not audio at all".getBytes(StandardCharsets.UTF_8),
            new byte[0],
            zeroHz);
    List<Row> withAudio = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      Row s = sources.get(i);
      Object[] values = new Object[s.size() + 1];
      for (int c = 0; c < s.size(); c++) {
        values[c] = s.get(c);
      }
      values[s.size()] = audio.get(i);
      withAudio.add(RowFactory.create(values));
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
  void everyClipWithUsableAudioBecomesOneMp4AndTheOthersTheirErrorCodes() throws IOException {
    Path out = dir.resolve("png-and-video");
    RunSummary run = LocalSpark.render(spark, input, out, conf("png", "check"));

    List<String> clips = clipIds();
    assertThat(mp4s(out))
        .containsExactlyInAnyOrder(
            SafeNames.of(clips.get(0)) + ".mp4", SafeNames.of(clips.get(1)) + ".mp4");
    assertThat(out.resolve("_staging")).doesNotExist();
    Map<String, String> codes =
        run.errors().stream()
            .collect(Collectors.toMap(e -> e.clipId(), e -> e.code(), (a, b) -> a));
    assertThat(codes)
        .containsEntry(clips.get(2), "AUDIO_LENGTH_MISMATCH")
        .containsEntry(clips.get(3), "AUDIO_TRUNCATED")
        .containsEntry(clips.get(4), "AUDIO_NOT_AUDIO")
        .containsEntry(clips.get(5), "AUDIO_EMPTY")
        .containsEntry(clips.get(6), "AUDIO_BAD_HEADER")
        .hasSize(5);
    assertThat(run.errors()).hasSize(5 * FRAMES);
    assertThat(run.errors().stream().filter(e -> e.clipId().equals(clips.get(2))).findFirst())
        .get()
        .satisfies(
            e -> assertThat(e.message()).contains("video 0.400 s", "audio 3.000 s", "--audio-fit"));
    assertThat(run.renderedFrames() + run.errorFrames()).isEqualTo(run.inputFrames());

    List<Row> frames = LocalSpark.frames(spark, out);
    for (int c = 0; c < 2; c++) {
      String clip = clips.get(c);
      List<RgbImage> pngs =
          frames.stream()
              .filter(f -> f.getAs("clip_id").equals(clip))
              .map(LocalSpark::decode)
              .toList();
      Path mp4 = out.resolve("videos").resolve(SafeNames.of(clip) + ".mp4");
      double psnr = VideoAsserts.matches(mp4, NTSC, pngs, 35);
      System.out.printf("clip %s: %d frames, worst PSNR %.1f dB%n", clip, pngs.size(), psnr);
      Mp4Reader.Info info = Mp4Reader.read(mp4, null);
      if (c == 0) {
        assertThat(info.audioCodec()).isEqualTo("aac");
        assertThat(info.audioSeconds()).isCloseTo(SECONDS + 0.01, within(0.03));
      } else {
        assertThat(info.audioCodec()).isNull();
      }
      if (VideoAsserts.hasFfprobe()) {
        assertThat(VideoAsserts.ffprobe(mp4, "v:0"))
            .containsEntry("codec_name", "h264")
            .containsEntry("pix_fmt", "yuv420p")
            .containsEntry("avg_frame_rate", "30000/1001")
            .containsEntry("nb_read_frames", Integer.toString(FRAMES));
        assertThat(Double.parseDouble(VideoAsserts.ffprobe(mp4, "v:0").get("duration")))
            .isCloseTo(SECONDS, within(1e-4));
        if (c == 0) {
          Map<String, String> sound = VideoAsserts.ffprobe(mp4, "a:0");
          assertThat(sound).containsEntry("codec_name", "aac").containsEntry("channels", "2");
          assertThat(Double.parseDouble(sound.get("duration")))
              .isCloseTo(SECONDS + 0.01, within(0.03));
        }
      }
    }
    List<Row> manifest =
        spark
            .read()
            .parquet(out.resolve("videos_manifest").toString())
            .orderBy("clip_id")
            .collectAsList();
    assertThat(manifest).hasSize(2);
    assertThat(manifest.get(0).<String>getAs("clip_id")).isEqualTo(clips.get(0));
    assertThat(manifest.get(0).<Long>getAs("frames")).isEqualTo(FRAMES);
    assertThat(manifest.get(0).<String>getAs("fps")).isEqualTo("30000/1001");
    assertThat(manifest.get(0).<String>getAs("encoder")).isIn(H264Encoders.AUTO_ORDER);
    assertThat(manifest.get(0).<String>getAs("audio")).startsWith("wav");
    assertThat(manifest.get(1).<String>getAs("audio")).isEqualTo("none");
  }

  @Test
  void aVideoOnlyRunWritesNoFrameRowsAndTrimsAudioWhenToldTo() throws IOException {
    Path out = dir.resolve("video-only");
    RunSummary run = LocalSpark.render(spark, input, out, conf("none", "trim"));

    List<String> clips = clipIds();
    assertThat(LocalSpark.frames(spark, out)).isEmpty();
    // The 3 s audio is trimmed to the video; the broken ones still fail.
    assertThat(mp4s(out)).hasSize(3).contains(SafeNames.of(clips.get(2)) + ".mp4");
    Mp4Reader.Info trimmed =
        Mp4Reader.read(out.resolve("videos").resolve(SafeNames.of(clips.get(2)) + ".mp4"), null);
    assertThat(trimmed.decodedFrames()).isEqualTo(FRAMES);
    assertThat(trimmed.audioSeconds()).isCloseTo(SECONDS, within(0.03));
    assertThat(run.renderedFrames()).isEqualTo(3L * FRAMES);
    assertThat(run.renderedFrames() + run.errorFrames()).isEqualTo(run.inputFrames());
  }

  private static Map<String, String> conf(String framesFormat, String audioFit) {
    return Map.of(
        "spark.facerender.video", "mp4",
        "spark.facerender.fps", "30000/1001",
        "spark.facerender.framesFormat", framesFormat,
        "spark.facerender.audioFit", audioFit,
        "spark.facerender.maxErrorRate", "1");
  }

  private static List<String> clipIds() {
    return spark
        .read()
        .parquet(input.resolve("sources").toString())
        .orderBy("clip_id")
        .select("clip_id")
        .as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList();
  }

  private static List<String> mp4s(Path out) throws IOException {
    try (Stream<Path> files = Files.list(out.resolve("videos"))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".mp4")).toList();
    }
  }
}
