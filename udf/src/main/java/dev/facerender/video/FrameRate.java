package dev.facerender.video;

import java.io.Serializable;

/**
 * A frame rate as an exact fraction ({@code 30000/1001}, not 29.97), reduced. Durations are frame
 * counts times {@code den / num} seconds, so NTSC rates never drift.
 */
public record FrameRate(int num, int den) implements Serializable {
  public FrameRate {
    if (num <= 0 || den <= 0) {
      throw new IllegalArgumentException("frame rate must be positive, got " + num + "/" + den);
    }
    int gcd = gcd(num, den);
    num /= gcd;
    den /= gcd;
  }

  /** {@code 25}, {@code 30000/1001}; decimals are refused because they are not exact. */
  public static FrameRate parse(String text) {
    String[] parts = text.strip().split("/", -1);
    if (parts.length > 2) {
      throw new IllegalArgumentException("expected N or N/D, like 25 or 30000/1001");
    }
    try {
      int num = Integer.parseInt(parts[0].strip());
      int den = parts.length == 2 ? Integer.parseInt(parts[1].strip()) : 1;
      return new FrameRate(num, den);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "expected an integer or a fraction N/D (29.97 is 30000/1001), got '" + text + "'", e);
    }
  }

  public double perSecond() {
    return num / (double) den;
  }

  /** Seconds {@code frames} last at this rate. */
  public double seconds(long frames) {
    return frames * (double) den / num;
  }

  @Override
  public String toString() {
    return den == 1 ? Integer.toString(num) : num + "/" + den;
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
