package dev.facerender.config;

import java.util.Locale;

/**
 * How frames are stored in {@code frames/}. RAW is interleaved 8-bit RGB, row after row; NONE
 * stores no frame rows (a video-only run).
 */
public enum OutputFormat {
  PNG,
  JPEG,
  RAW,
  NONE;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static OutputFormat parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected one of png, jpeg, raw, none", e);
    }
  }
}
