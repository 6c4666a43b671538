package dev.facerender.batch;

import java.util.List;

/**
 * A model's memory as a line, fixed + per-frame bytes, through measured peaks: from the largest
 * size with a known peak and the largest at most half of it (a slope over a doubling, not over two
 * neighbouring sizes whose peaks differ by less than their spread).
 */
final class PeakLine {
  private PeakLine() {}

  /**
   * {fixed, perFrame, measured?1:0} from the largest point with a known peak and the largest at
   * most half its size (else the one below it).
   */
  static long[] fit(List<ThroughputPoint> points, long estimatedPerFrame) {
    List<ThroughputPoint> known = nonDecreasing(points);
    if (known.size() >= 2) {
      ThroughputPoint b = known.get(known.size() - 1);
      ThroughputPoint a =
          known.stream()
              .filter(p -> p.batch() * 2 <= b.batch())
              .reduce((x, y) -> y)
              .orElse(known.get(known.size() - 2));
      long slope = (b.peakBytes() - a.peakBytes()) / (b.batch() - a.batch());
      if (slope > 0) {
        long fixed = Math.max(0, b.peakBytes() - slope * b.batch());
        return new long[] {fixed, slope, 1};
      }
    }
    long fixed = known.isEmpty() ? 0 : Math.max(0, known.get(0).peakBytes() - estimatedPerFrame);
    return new long[] {fixed, estimatedPerFrame, 0};
  }

  /**
   * The known peaks by batch, each lowered to the smallest peak of any larger batch: a batch never
   * needs more than a larger one, so a small size's larger peak is what else the process allocated
   * during it (a first call's lazy work), not the model's.
   */
  private static List<ThroughputPoint> nonDecreasing(List<ThroughputPoint> points) {
    List<ThroughputPoint> known =
        points.stream()
            .filter(p -> p.peakBytes() >= 0)
            .sorted(java.util.Comparator.comparingInt(ThroughputPoint::batch))
            .toList();
    ThroughputPoint[] out = known.toArray(new ThroughputPoint[0]);
    long floor = Long.MAX_VALUE;
    for (int i = out.length - 1; i >= 0; i--) {
      floor = Math.min(floor, out[i].peakBytes());
      if (out[i].peakBytes() > floor) {
        out[i] = out[i].withPeakBytes(floor);
      }
    }
    return List.of(out);
  }
}
