package dev.facerender.codec;

/** Peak signal-to-noise ratio of two 8-bit frames, the usual measure of a lossy render's error. */
public final class Psnr {
  /** What identical frames score: their squared error is 0, so the ratio has no finite value. */
  public static final double IDENTICAL = Double.POSITIVE_INFINITY;

  private Psnr() {}

  /** {@code 10 log10(255^2 / MSE)} over every byte of {@code a} and {@code b} (same length). */
  public static double of(byte[] a, byte[] b) {
    if (a.length != b.length || a.length == 0) {
      throw new IllegalArgumentException(
          "frames of " + a.length + " and " + b.length + " bytes: PSNR needs equal, non-empty");
    }
    double squares = 0;
    for (int i = 0; i < a.length; i++) {
      int d = (a[i] & 0xff) - (b[i] & 0xff);
      squares += d * d;
    }
    if (squares == 0) {
      return IDENTICAL;
    }
    return 10 * Math.log10(255.0 * 255.0 * a.length / squares);
  }
}
