package dev.facerender.video;

import java.util.Locale;

/**
 * What to do when a clip's audio and video lengths differ by more than the tolerance: refuse the
 * clip ({@link #CHECK}), pad short audio with silence, trim long audio, or both ({@link #FIT}).
 */
public enum AudioFit {
  CHECK,
  PAD,
  TRIM,
  FIT;

  public static AudioFit parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected one of check, pad, trim, fit", e);
    }
  }

  public boolean pads() {
    return this == PAD || this == FIT;
  }

  public boolean trims() {
    return this == TRIM || this == FIT;
  }
}
