package dev.facerender.output;

/** Where a run attempt stages each wave before its commit: {@code _staging/<attempt>/wave-N}. */
public final class Staging {
  public static final String ROOT = "_staging";

  private Staging() {}

  public static String wave(String attemptId, int wave) {
    return String.format("%s/%s/wave-%05d", ROOT, attemptId, wave);
  }
}
