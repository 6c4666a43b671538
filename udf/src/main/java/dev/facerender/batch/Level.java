package dev.facerender.batch;

import java.util.Locale;

/**
 * How hard to push the device: the share of free memory a task may plan for, the largest batch it
 * may plan (both overridable: {@code spark.facerender.memoryFraction}, {@code
 * spark.facerender.maxBatch}), and how much slower than the fastest measured batch a larger one may
 * be and still be taken. Timed runs of one size on a busy CPU spread by 10-20%, so a level that
 * pushes must look past that much to reach the memory limit on a flat speed curve.
 */
public enum Level {
  LOW(0.60, 16, 0.05),
  MEDIUM(0.80, 64, 0.10),
  HIGH(0.95, 256, 0.20),
  EXTREME(0.98, 1024, 0.30);

  private final double memoryFraction;
  private final int maxBatch;
  private final double speedTolerance;

  Level(double memoryFraction, int maxBatch, double speedTolerance) {
    this.memoryFraction = memoryFraction;
    this.maxBatch = maxBatch;
    this.speedTolerance = speedTolerance;
  }

  /** The share by which a larger batch may be slower than the fastest and still be chosen. */
  public double speedTolerance() {
    return speedTolerance;
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
