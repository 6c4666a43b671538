package dev.facerender.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test audio and frames made in code. */
public final class TestMedia {
  private TestMedia() {}

  /** A 16-bit PCM WAV of a {@code hz} tone. */
  public static byte[] wav(int sampleRate, int channels, double seconds, double hz) {
    return Wav.tone(sampleRate, channels, seconds, hz);
  }

  /** Smooth, moving test frames ({@code w x h} BGR): gradients and a moving disc. */
  public static List<byte[]> frames(int count, int width, int height) {
    List<byte[]> frames = new ArrayList<>();
    for (int f = 0; f < count; f++) {
      byte[] frame = new byte[width * height * 3];
      double cx = width * (0.3 + 0.4 * f / Math.max(1, count - 1));
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int i = (y * width + x) * 3;
          boolean disc = Math.hypot(x - cx, y - height / 2.0) < width / 6.0;
          frame[i] = (byte) (disc ? 60 : 40 + 150 * x / width);
          frame[i + 1] = (byte) (disc ? 120 : 60 + 120 * y / height);
          frame[i + 2] = (byte) (disc ? 200 : 90 + (f * 3) % 60);
        }
      }
      frames.add(frame);
    }
    return frames;
  }

  /** Peak signal-to-noise ratio of two 8-bit images in dB. */
  public static double psnr(byte[] a, byte[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (a[i] & 0xff) - (b[i] & 0xff);
      sum += d * d;
    }
    double mse = sum / a.length;
    return mse == 0 ? 99 : 10 * Math.log10(255.0 * 255.0 / mse);
  }

  /** BGR to RGB (the reader gives RGB). */
  public static byte[] rgb(byte[] bgr) {
    byte[] rgb = bgr.clone();
    for (int i = 0; i < rgb.length; i += 3) {
      rgb[i] = bgr[i + 2];
      rgb[i + 2] = bgr[i];
    }
    return rgb;
  }

  /** The file's first 8 atoms' types, in order (faststart puts moov before mdat). */
  public static List<String> topLevelAtoms(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    List<String> atoms = new ArrayList<>();
    int at = 0;
    while (at + 8 <= bytes.length && atoms.size() < 8) {
      long size = ByteBuffer.wrap(bytes, at, 4).getInt() & 0xffffffffL;
      atoms.add(new String(bytes, at + 4, 4, StandardCharsets.US_ASCII));
      if (size < 8) {
        break;
      }
      at += (int) size;
    }
    return atoms;
  }
}
