package dev.facerender.config;

import java.util.Locale;

/** How frames are stored in {@code frames/}. RAW is interleaved 8-bit RGB, row after row. */
public enum OutputFormat {
  PNG,
  JPEG,
  RAW;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static OutputFormat parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected one of png, jpeg, raw", e);
    }
  }
}
