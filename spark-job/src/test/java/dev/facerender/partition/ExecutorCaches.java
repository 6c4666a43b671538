package dev.facerender.partition;

/**
 * For tests that stand for a fresh executor JVM: drops what an executor keeps between tasks in
 * memory (calibrations), so the next task plans from the calibration cache folder or by measuring.
 * In the executor's package, on the test classpath only, to reach its package-private state.
 */
public final class ExecutorCaches {
  private ExecutorCaches() {}

  public static void forgetCalibrations() {
    BatchPlanner.forgetCalibrations();
  }
}
