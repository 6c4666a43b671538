package dev.facerender.batch;

import dev.facerender.retry.OutOfMemoryErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Measures a model on a device at growing batch sizes (1, 2, 4, ...) on real inputs: peak device
 * bytes and frames/s at each (over all of at least two timed runs and eight frames, after untimed
 * runs until the size's timings settle: the best of eight runs of batch 1 against the best of two
 * of batch 8 would favour small batches by the draw alone, and on a CPU where every size costs the
 * same per frame the plan followed it). It stops at the level cap, when the time budget is spent,
 * when the next size would not fit the memory seen so far, after an OOM, or once speed fell twice
 * in a row. When memory stopped it, the sizes between the last that fit and the next doubling are
 * bisected by rendering them, so the plan stands on a measured size: a straight line through two
 * sizes a doubling apart misses the limit by 10-40% on a CPU whose peaks spread from run to run.
 * Memory is fit as fixed + per-frame bytes from the largest size and the largest at most half of it
 * (a slope over a doubling, not over two neighbouring sizes whose peaks differ by less than their
 * spread).
 */
public final class Calibrator {
  /**
   * A model on a device, as calibration drives it. A real GPU queues work and returns at once, so
   * the calibrator times only between {@link #synchronize} calls on the device's clock; the first
   * calls of each batch shape may be slow (TorchScript's profiling runs, kernel selection, the
   * caching allocator's first segments), so each shape is warmed until its timings settle.
   */
  public interface Probe {
    /**
     * Queues one batch of {@code size} real frames on the device; returns its peak device bytes (-1
     * unknown). May return before the device finished the batch.
     */
    long run(int size);

    /** Blocks until every batch queued so far is finished on the device. */
    void synchronize();

    /** The device's clock in nanoseconds (wall time, or a simulated device's modelled time). */
    long nanoTime();

    /**
     * Called once before the first run of each new size, outside any timed run: where a probe
     * returns its allocator's cached segments, so that each size starts as on a fresh device.
     */
    default void beforeSize(int size) {}
  }

  /**
   * What a kept calibration must have been measured by: raised whenever the measurement changes, so
   * that figures measured the old way (per-shape compilation timed, unsynchronised clocks) are
   * measured again instead of planned from. 4: OpenBLAS runs on the task's threads (it ran on one
   * thread per core whatever the task's count).
   */
  public static final int METHOD = 4;

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
    return calibrate(
        probe, maxBatch, memoryBudget, estimatedPerFrame, CalibrationBudget.capped(budgetNanos));
  }

  /** As above, within {@code time}: the cap, and what the job can repay once a frame was timed. */
  public static Calibration calibrate(
      Probe probe,
      int maxBatch,
      long memoryBudget,
      long estimatedPerFrame,
      CalibrationBudget time) {
    return calibrate(probe, maxBatch, memoryBudget, estimatedPerFrame, time, System::nanoTime);
  }

  /** As above; {@code clock} times the budget (tests pass the probe's). */
  static Calibration calibrate(
      Probe probe,
      int maxBatch,
      long memoryBudget,
      long estimatedPerFrame,
      CalibrationBudget time,
      LongSupplier clock) {
    SizeTiming.Deadline deadline = new SizeTiming.Deadline(clock, time);
    List<ThroughputPoint> points = new ArrayList<>();
    int smallestOom = 0;
    int falls = 0;
    boolean memoryBound = false;
    for (int size = 1; size <= maxBatch; size *= 2) {
      ThroughputPoint point;
      try {
        point = SizeTiming.measure(probe, size, MIN_TIMED_FRAMES, deadline, points.isEmpty());
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
      long[] fit = PeakLine.fit(points, estimatedPerFrame);
      if (deadline.passed()) {
        break;
      }
      if (fit[0] + fit[1] * size * 2L > memoryBudget) {
        memoryBound = fit[2] == 1;
        break;
      }
    }
    if (memoryBound) {
      smallestOom = refineTop(probe, points, maxBatch, memoryBudget, deadline, smallestOom);
    }
    long[] fit = PeakLine.fit(points, estimatedPerFrame);
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
      SizeTiming.Deadline deadline,
      int smallestOom) {
    int fits = points.stream().mapToInt(ThroughputPoint::batch).max().orElse(1);
    int over = Math.min(maxBatch + 1, fits * 2);
    long[] line = PeakLine.fit(points, 0);
    // The first guess is the line's limit, so a good line costs one or two sizes, not log2 of them.
    int middle = (int) Math.max(fits + 1, Math.min(over - 1, (memoryBudget - line[0]) / line[1]));
    while (over - fits > 1 && !deadline.passed()) {
      ThroughputPoint point;
      try {
        // Timed as the doubling's sizes are, so that speeds compare.
        point = SizeTiming.measure(probe, middle, 0, deadline, false);
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

  private static void insert(List<ThroughputPoint> points, ThroughputPoint point) {
    int i = 0;
    while (i < points.size() && points.get(i).batch() < point.batch()) {
      i++;
    }
    points.add(i, point);
  }
}
