package dev.facerender.batch;

import java.util.Locale;

/**
 * How hard to push the device: the share of free memory a task may plan for and the largest batch
 * it may plan. Both are overridable ({@code spark.facerender.memoryFraction}, {@code
 * spark.facerender.maxBatch}).
 */
public enum Level {
  LOW(0.60, 16),
  MEDIUM(0.80, 64),
  HIGH(0.95, 256),
  EXTREME(0.98, 1024);

  private final double memoryFraction;
  private final int maxBatch;

  Level(double memoryFraction, int maxBatch) {
    this.memoryFraction = memoryFraction;
    this.maxBatch = maxBatch;
  }

  public double memoryFraction() {
    return memoryFraction;
  }

  public int maxBatch() {
    return maxBatch;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Level parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected one of low, medium, high, extreme", e);
    }
  }
}
