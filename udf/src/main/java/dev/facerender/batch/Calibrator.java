package dev.facerender.batch;

import dev.facerender.retry.OutOfMemoryErrors;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures a model on a device at growing batch sizes (1, 2, 4, ...) on real inputs: peak device
 * bytes and frames/s at each (over all of at least two timed runs and eight frames, after an
 * untimed run: the best of eight runs of batch 1 against the best of two of batch 8 would favour
 * small batches by the draw alone, and on a CPU where every size costs the same per frame the plan
 * followed it). It stops at the level cap, when the time budget is spent, when the next size would
 * not fit the memory seen so far, after an OOM, or once speed fell twice in a row. When memory
 * stopped it, the sizes between the last that fit and the next doubling are bisected by rendering
 * them, so the plan stands on a measured size: a straight line through two sizes a doubling apart
 * misses the limit by 10-40% on a CPU whose peaks spread from run to run. Memory is fit as fixed +
 * per-frame bytes from the largest size and the largest at most half of it (a slope over a
 * doubling, not over two neighbouring sizes whose peaks differ by less than their spread).
 */
public final class Calibrator {
  /** Runs one batch of {@code size} real frames; returns its peak bytes (-1 unknown) and time. */
  public interface Probe {
    Measurement run(int size);
  }

  /** One run: the device's peak bytes for it (-1 unknown) and its time in nanoseconds. */
  public record Measurement(long peakBytes, long nanos) {}

  private static final int REPEATS = 2;

  /** Small batches are timed over at least this many frames: one call is too noisy a sample. */
  private static final int MIN_TIMED_FRAMES = 8;

  private Calibrator() {}

  /**
   * Calibrates up to {@code maxBatch} frames within {@code memoryBudget} bytes; {@code
   * estimatedPerFrame} is used when the device reports no peaks.
   */
  public static Calibration calibrate(
      Probe probe, int maxBatch, long memoryBudget, long estimatedPerFrame) {
    return calibrate(probe, maxBatch, memoryBudget, estimatedPerFrame, Long.MAX_VALUE);
  }

  /**
   * As above, growing the batch only while less than {@code budgetNanos} were spent: a bound on
   * what calibration costs when it must run (batch 1 is always measured).
   */
  public static Calibration calibrate(
      Probe probe, int maxBatch, long memoryBudget, long estimatedPerFrame, long budgetNanos) {
    long start = System.nanoTime();
    List<ThroughputPoint> points = new ArrayList<>();
    int smallestOom = 0;
    int falls = 0;
    boolean memoryBound = false;
    probe.run(1); // warm-up: first calls compile and allocate
    for (int size = 1; size <= maxBatch; size *= 2) {
      ThroughputPoint point;
      try {
        point = measure(probe, size, MIN_TIMED_FRAMES);
      } catch (RuntimeException e) {
        if (!OutOfMemoryErrors.isOutOfMemory(e)) {
          throw e;
        }
        smallestOom = size;
        break;
      }
      if (!points.isEmpty()
          && point.framesPerSecond() < points.get(points.size() - 1).framesPerSecond()) {
        falls++;
      } else {
        falls = 0;
      }
      points.add(point);
      if (falls >= 2) {
        break;
      }
      long[] fit = fit(points, estimatedPerFrame);
      if (System.nanoTime() - start > budgetNanos) {
        break;
      }
      if (fit[0] + fit[1] * size * 2L > memoryBudget) {
        memoryBound = fit[2] == 1;
        break;
      }
    }
    if (memoryBound) {
      smallestOom =
          refineTop(probe, points, maxBatch, memoryBudget, start, budgetNanos, smallestOom);
    }
    long[] fit = fit(points, estimatedPerFrame);
    boolean measured = points.stream().filter(p -> p.peakBytes() >= 0).count() >= 2 && fit[2] == 1;
    return new Calibration(fit[0], fit[1], measured, points, smallestOom);
  }

  /**
   * Bisects between the largest size that fit {@code memoryBudget} and the next doubling (or the
   * cap), rendering each middle size after an untimed run; sizes over the budget are kept as points
   * too, so the planner sees both sides of the limit. Returns the smallest size that ran out of
   * memory (0 if none did).
   */
  private static int refineTop(
      Probe probe,
      List<ThroughputPoint> points,
      int maxBatch,
      long memoryBudget,
      long start,
      long budgetNanos,
      int smallestOom) {
    int fits = points.stream().mapToInt(ThroughputPoint::batch).max().orElse(1);
    int over = Math.min(maxBatch + 1, fits * 2);
    long[] line = fit(points, 0);
    // The first guess is the line's limit, so a good line costs one or two sizes, not log2 of them.
    int middle = (int) Math.max(fits + 1, Math.min(over - 1, (memoryBudget - line[0]) / line[1]));
    while (over - fits > 1 && System.nanoTime() - start <= budgetNanos) {
      ThroughputPoint point;
      try {
        // Timed as the doubling's sizes are, so that speeds compare.
        point = measure(probe, middle, 0);
      } catch (RuntimeException e) {
        if (!OutOfMemoryErrors.isOutOfMemory(e)) {
          throw e;
        }
        smallestOom = smallestOom == 0 ? middle : Math.min(smallestOom, middle);
        over = middle;
        middle = (fits + over) >>> 1;
        continue;
      }
      insert(points, point);
      if (point.peakBytes() > memoryBudget) {
        over = middle;
      } else {
        fits = middle;
      }
      middle = (fits + over) >>> 1;
    }
    return smallestOom;
  }

  /**
   * One size: an untimed run, then at least {@link #REPEATS} timed runs and {@code minFrames}
   * frames; frames/s over all of them and the largest peak. An OOM propagates to the caller.
   */
  private static ThroughputPoint measure(Probe probe, int size, int minFrames) {
    // TorchScript specializes its graph to each new input shape on the first calls: timing those
    // would make the speed curve, and so the chosen batch, change from run to run.
    probe.run(size);
    long nanos = 0;
    int frames = 0;
    long peak = -1;
    for (int i = 0; i < REPEATS || i * size < minFrames; i++) {
      Measurement m = probe.run(size);
      nanos += m.nanos();
      frames += size;
      peak = Math.max(peak, m.peakBytes());
    }
    return new ThroughputPoint(size, peak, frames * 1e9 / Math.max(1, nanos));
  }

  private static void insert(List<ThroughputPoint> points, ThroughputPoint point) {
    int i = 0;
    while (i < points.size() && points.get(i).batch() < point.batch()) {
      i++;
    }
    points.add(i, point);
  }

  /**
   * {fixed, perFrame, measured?1:0} from the largest point with a known peak and the largest at
   * most half its size (else the one below it).
   */
  static long[] fit(List<ThroughputPoint> points, long estimatedPerFrame) {
    List<ThroughputPoint> known = points.stream().filter(p -> p.peakBytes() >= 0).toList();
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
}
