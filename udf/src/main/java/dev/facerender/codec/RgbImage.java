package dev.facerender.codec;

import static java.util.Objects.requireNonNull;

/**
 * A decoded image as interleaved 8-bit pixels in BGR order (the layout of Java2D's {@code
 * TYPE_3BYTE_BGR}, so encoders wrap it without copying).
 */
public record RgbImage(int width, int height, byte[] bgr) {
  public RgbImage {
    requireNonNull(bgr, "bgr is null");
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
    }
    if (bgr.length != Math.multiplyExact(Math.multiplyExact(width, height), 3)) {
      throw new IllegalArgumentException(
          "expected " + width + "x" + height + "x3 bytes, got " + bgr.length);
    }
  }
}
