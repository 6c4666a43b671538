package dev.facerender.video.mp4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.facerender.video.AudioDecoder;
import dev.facerender.video.AudioFit;
import dev.facerender.video.ClipAudio;
import dev.facerender.video.FrameRate;
import dev.facerender.video.TestMedia;
import dev.facerender.video.VideoOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Mp4WriterTest {
  private static final VideoOptions DEFAULTS =
      new VideoOptions(FrameRate.parse("30000/1001"), "auto", 23, 0, "medium", 1, AudioFit.CHECK);

  @TempDir Path dir;

  @Test
  void framesComeBackAtTheExactRateAndCloseToTheInput() throws Exception {
    List<byte[]> frames = TestMedia.frames(48, 256, 256);
    Path file = dir.resolve("clip.mp4");
    String encoder = H264Encoders.choose("auto");
    ClipAudio audio = AudioDecoder.decode(TestMedia.wav(44100, 1, 48 * 1001 / 30000.0, 440));
    Mp4Writer.Result result;
    try (Mp4Writer writer = Mp4Writer.open(file, 256, 256, false, DEFAULTS, encoder, audio)) {
      frames.forEach(writer::write);
      result = writer.finish();
    }
    assertThat(result.frames()).isEqualTo(48);
    assertThat(result.seconds()).isEqualTo(48 * 1001 / 30000.0);

    List<byte[]> decoded = new java.util.ArrayList<>();
    Mp4Reader.Info info = Mp4Reader.read(file, decoded::add);
    assertThat(info.videoCodec()).isEqualTo("h264");
    assertThat(info.pixelFormat()).isEqualTo("yuv420p");
    assertThat(info.frameRate()).isEqualTo(new FrameRate(30000, 1001));
    assertThat(info.decodedFrames()).isEqualTo(48);
    assertThat(info.videoSeconds()).isCloseTo(48 * 1001 / 30000.0, within(1e-6));
    assertThat(info.audioCodec()).isEqualTo("aac");
    assertThat(info.audioSeconds()).isCloseTo(result.seconds(), within(0.03));
    double worst = 99;
    for (int i = 0; i < frames.size(); i++) {
      worst = Math.min(worst, TestMedia.psnr(TestMedia.rgb(frames.get(i)), decoded.get(i)));
    }
    System.out.printf(
        "%s at crf 23: worst frame PSNR %.1f dB, %d bytes%n", encoder, worst, Files.size(file));
    assertThat(worst).isGreaterThanOrEqualTo(35);
    assertThat(TestMedia.topLevelAtoms(file)).containsSubsequence("ftyp", "moov", "mdat");
  }

  @Test
  void closeWithoutFinishFreesAndIsIdempotent() {
    Path file = dir.resolve("abandoned.mp4");
    Mp4Writer writer =
        Mp4Writer.open(file, 64, 64, false, DEFAULTS, H264Encoders.choose("auto"), null);
    writer.write(TestMedia.frames(1, 64, 64).get(0));
    writer.close();
    writer.close();
    assertThat(writer.isFinished()).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> writer.write(new byte[64 * 64 * 3]))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
