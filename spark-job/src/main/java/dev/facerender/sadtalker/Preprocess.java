package dev.facerender.sadtalker;

import java.util.Locale;

/**
 * SadTalker's {@code --preprocess} mode as far as the face renderer sees it: how many coefficients
 * a frame and the source carry. {@code full} (and {@code extfull}) adds the three crop parameters
 * of the source's {@code first_coeff} to every frame and uses {@code facerender_still.yaml}'s
 * 73-coefficient mapping network.
 */
public enum Preprocess {
  CROP(70),
  FULL(73);

  /** Columns SadTalker's audio2coeff writes per frame: 64 expression, 3 rotation, 3 translation. */
  public static final int AUDIO_COEFFS = 70;

  /** Expression columns, the ones {@code expression_scale} multiplies. */
  public static final int EXPRESSION_COEFFS = 64;

  private final int coeffCount;

  Preprocess(int coeffCount) {
    this.coeffCount = coeffCount;
  }

  /** Coefficients per frame and per source the renderer takes: Facerender's --coeff-count. */
  public int coeffCount() {
    return coeffCount;
  }

  /** SadTalker's own test: any mode whose name contains "full" (full, extfull). */
  public static Preprocess of(String mode) {
    String lower = mode.toLowerCase(Locale.ROOT);
    if (lower.contains("full")) {
      return FULL;
    }
    if (lower.equals("crop") || lower.equals("extcrop") || lower.equals("resize")) {
      return CROP;
    }
    throw new IllegalArgumentException(
        "--preprocess must be crop, extcrop, resize, full or extfull (SadTalker's modes), got '"
            + mode
            + "'");
  }
}
