package dev.facerender.batch;

import java.util.Comparator;
import java.util.List;

/** Readings of a calibration's speed curve (frames/s by batch size) that the sizer plans from. */
final class SpeedCurve {
  private SpeedCurve() {}

  /**
   * Whether {@code top} beat the largest smaller measured batch by more than {@code tolerance}:
   * speed still rising, not level within noise.
   */
  static boolean risingAt(List<ThroughputPoint> curve, ThroughputPoint top, double tolerance) {
    ThroughputPoint below = null;
    for (ThroughputPoint p : curve) {
      if (p.batch() < top.batch() && (below == null || p.batch() > below.batch())) {
        below = p;
      }
    }
    return below != null && top.framesPerSecond() > below.framesPerSecond() * (1 + tolerance);
  }

  /** The largest measured batch within {@code limit} at {@code asFast} frames/s or more. */
  static ThroughputPoint largestAsFast(
      List<ThroughputPoint> curve, int limit, ThroughputPoint best, double asFast) {
    ThroughputPoint chosen = best;
    for (ThroughputPoint p : curve) {
      if (p.batch() <= limit && p.batch() > chosen.batch() && p.framesPerSecond() >= asFast) {
        chosen = p;
      }
    }
    return chosen;
  }

  /**
   * Whether speed holds past {@code chosen}: nothing larger measured, or the next larger size at
   * {@code asFast} frames/s or more.
   */
  static boolean notFallingPast(
      List<ThroughputPoint> curve, ThroughputPoint chosen, double asFast) {
    return curve.stream()
        .filter(p -> p.batch() > chosen.batch())
        .min(Comparator.comparingInt(ThroughputPoint::batch))
        .map(next -> next.framesPerSecond() >= asFast)
        .orElse(true);
  }
}
