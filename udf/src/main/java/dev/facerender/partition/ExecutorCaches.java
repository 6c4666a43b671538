package dev.facerender.partition;

/**
 * What an executor's JVM keeps between tasks: calibrations in memory (models are in {@link
 * dev.facerender.model.ModelCache}). Dropping them makes the next task plan as a fresh executor
 * would: from the calibration cache folder, or by measuring.
 */
public final class ExecutorCaches {
  private ExecutorCaches() {}

  public static void forgetCalibrations() {
    BatchPlanner.forgetCalibrations();
  }
}
