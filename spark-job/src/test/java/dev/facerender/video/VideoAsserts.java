package dev.facerender.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.facerender.codec.RgbImage;
import dev.facerender.video.mp4.Mp4Reader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Checks of a clip's MP4: decoded back through the presets, and as Debian's ffprobe reads it. */
public final class VideoAsserts {
  public static final Path FFPROBE = Path.of("/usr/bin/ffprobe");

  private VideoAsserts() {}

  /**
   * The MP4 holds exactly {@code expected} (the clip's accepted frames, in order) at {@code fps},
   * each within {@code minPsnr} dB of its PNG; returns the worst PSNR.
   */
  public static double matches(Path mp4, FrameRate fps, List<RgbImage> expected, double minPsnr) {
    List<byte[]> decoded = Mp4Reader.frames(mp4);
    Mp4Reader.Info info = Mp4Reader.read(mp4, null);
    assertThat(info.videoCodec()).isEqualTo("h264");
    assertThat(info.pixelFormat()).isEqualTo("yuv420p");
    assertThat(info.frameRate()).isEqualTo(fps);
    assertThat(decoded).hasSize(expected.size());
    assertThat(info.videoSeconds()).isCloseTo(fps.seconds(expected.size()), within(1e-6));
    double worst = 99;
    for (int i = 0; i < decoded.size(); i++) {
      worst = Math.min(worst, psnr(rgb(expected.get(i).bgr()), decoded.get(i)));
    }
    assertThat(worst).as("worst frame PSNR of %s", mp4).isGreaterThanOrEqualTo(minPsnr);
    return worst;
  }

  /** BGR pixels (decoded PNGs) as RGB (decoded video). */
  public static byte[] rgb(byte[] bgr) {
    byte[] rgb = bgr.clone();
    for (int i = 0; i < rgb.length; i += 3) {
      rgb[i] = bgr[i + 2];
      rgb[i + 2] = bgr[i];
    }
    return rgb;
  }

  /** Peak signal-to-noise ratio of two 8-bit images in dB. */
  public static double psnr(byte[] a, byte[] b) {
    assertThat(b).hasSameSizeAs(a);
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (a[i] & 0xff) - (b[i] & 0xff);
      sum += d * d;
    }
    double mse = sum / a.length;
    return mse == 0 ? 99 : 10 * Math.log10(255.0 * 255.0 / mse);
  }

  public static boolean hasFfprobe() {
    return Files.isExecutable(FFPROBE);
  }

  /**
   * ffprobe's {@code key=value} entries for one stream ({@code v:0}, {@code a:0}), frames counted.
   */
  public static Map<String, String> ffprobe(Path file, String stream) {
    try {
      Process process =
          new ProcessBuilder(
                  FFPROBE.toString(),
                  "-v",
                  "error",
                  "-count_frames",
                  "-select_streams",
                  stream,
                  "-show_entries",
                  "stream=codec_name,pix_fmt,avg_frame_rate,r_frame_rate,nb_read_frames,duration,"
                      + "sample_rate,channels",
                  "-of",
                  "default=nw=1",
                  file.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError("ffprobe failed on " + file + ": " + out);
      }
      Map<String, String> entries = new LinkedHashMap<>();
      out.lines()
          .filter(l -> l.contains("="))
          .forEach(
              l -> entries.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
      return entries;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
