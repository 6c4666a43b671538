package dev.facerender.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.facerender.video.mp4.H264Encoders;
import dev.facerender.video.mp4.Mp4Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioDecoderTest {
  @TempDir Path dir;

  @Test
  void wavDecodesToItsDurationAtItsRate() throws Exception {
    ClipAudio audio = AudioDecoder.decode(TestMedia.wav(22050, 2, 1.5, 440));
    assertThat(audio.sampleRate()).isEqualTo(22050);
    assertThat(audio.channels()).hasNumberOfRows(2);
    assertThat(audio.seconds()).isCloseTo(1.5, within(1e-4));
    assertThat(audio.sourceFormat()).isEqualTo("wav");
  }

  @Test
  void aRateAacDoesNotTakeIsResampledTo48k() throws Exception {
    ClipAudio audio = AudioDecoder.decode(TestMedia.wav(37000, 1, 1.0, 440));
    assertThat(audio.sampleRate()).isEqualTo(48000);
    assertThat(audio.seconds()).isCloseTo(1.0, within(0.01));
  }

  @Test
  void aacInMp4DecodesToo() throws Exception {
    Path file = dir.resolve("speech.mp4");
    ClipAudio wav = AudioDecoder.decode(TestMedia.wav(44100, 1, 2.0, 330));
    VideoOptions options =
        new VideoOptions(FrameRate.parse("25"), "auto", 23, 0, "medium", 1, AudioFit.CHECK);
    try (Mp4Writer writer =
        Mp4Writer.open(file, 64, 64, false, options, H264Encoders.choose("auto"), wav)) {
      TestMedia.frames(50, 64, 64).forEach(writer::write);
      writer.finish();
    }
    ClipAudio aac = AudioDecoder.decode(Files.readAllBytes(file));
    assertThat(aac.sampleRate()).isEqualTo(44100);
    assertThat(aac.seconds()).isCloseTo(2.0, within(0.03));
  }

  @Test
  void zeroBytesAreEmpty() {
    assertCode(new byte[0], "AUDIO_EMPTY", "0 bytes");
  }

  @Test
  void aTruncatedWavSaysSo() {
    byte[] wav = TestMedia.wav(16000, 1, 1.0, 440);
    assertCode(Arrays.copyOf(wav, wav.length / 2), "AUDIO_TRUNCATED", "32000 bytes of samples");
    assertCode(Arrays.copyOf(wav, 20), "AUDIO_TRUNCATED", "cut short");
  }

  @Test
  void aZeroHertzHeaderIsABadHeader() {
    byte[] wav = TestMedia.wav(16000, 1, 0.5, 440);
    ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 0);
    assertCode(wav, "AUDIO_BAD_HEADER", "0 Hz");
  }

  @Test
  void aWavWithoutSamplesIsEmpty() {
    byte[] wav = TestMedia.wav(16000, 1, 0, 440);
    assertCode(wav, "AUDIO_EMPTY", "no samples");
  }

  @Test
  void textOrAnImageIsNotAudio() throws Exception {
    assertCode(
        "this is not audio at all, just text".getBytes(StandardCharsets.UTF_8),
        "AUDIO_NOT_AUDIO",
        "WAV, MP3 or AAC");
    java.awt.image.BufferedImage image =
        new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(image, "png", png);
    assertCode(png.toByteArray(), "AUDIO_NOT_AUDIO", "no audio stream");
  }

  private static void assertCode(byte[] bytes, String code, String message) {
    assertThatThrownBy(() -> AudioDecoder.decode(bytes))
        .isInstanceOfSatisfying(AudioException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(message);
  }
}
