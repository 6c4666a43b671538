package dev.facerender.job;

/** Where a run attempt stages each wave before its commit: {@code _staging/<attempt>/wave-N}. */
final class Staging {
  static final String ROOT = "_staging";

  private Staging() {}

  static String wave(String attemptId, int wave) {
    return String.format("%s/%s/wave-%05d", ROOT, attemptId, wave);
  }
}
