package dev.facerender.batch;

/**
 * What calibration may spend: at most {@code capNanos}, and at most {@link #REPAY_SHARE} of the
 * job's render time as its fastest frame so far predicts it ({@code jobFrames} over {@code tasks}
 * tasks at that frame's pace; {@code jobFrames} below 1: unknown, the cap alone). Calibration can
 * only repay what a better batch saves on the job's own frames, and while it runs alone the
 * device's other tasks wait: 8 reduced SadTalker clips (256 frames, 2 tasks) spent 3.2 s of a 31.7
 * s render measuring under the cap alone (docs/performance.md).
 */
public record CalibrationBudget(long capNanos, long jobFrames, int tasks) {
  /** The share of the predicted render time calibration may take. */
  public static final double REPAY_SHARE = 0.05;

  public CalibrationBudget {
    if (capNanos < 0) {
      throw new IllegalArgumentException("calibration cap must be >= 0 ns, got " + capNanos);
    }
    if (tasks < 1) {
      throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
    }
  }

  /** The cap alone: a job of unknown size. */
  public static CalibrationBudget capped(long capNanos) {
    return new CalibrationBudget(capNanos, -1, 1);
  }

  /**
   * Whether the job's bound, not the cap, limited {@code calibration}: its fastest measured pace
   * leaves less to repay than the cap. Such a measure is no plan for a larger job.
   */
  public boolean shortened(Calibration calibration) {
    double fastest =
        calibration.points().stream().mapToDouble(ThroughputPoint::framesPerSecond).max().orElse(0);
    return fastest > 0 && repayableNanos((long) (1e9 / fastest)) < capNanos;
  }

  /** The budget at a pace of {@code nanosPerFrame}: the cap, or what the job repays if less. */
  long repayableNanos(long nanosPerFrame) {
    if (jobFrames < 1) {
      return capNanos;
    }
    double repayable = REPAY_SHARE * jobFrames * (double) nanosPerFrame / tasks;
    return (long) Math.min(capNanos, repayable);
  }
}
