package dev.facerender.batch;

import java.util.function.LongSupplier;

/**
 * How calibration times one batch size: warm-up runs until the timings settle, then timed runs back
 * to back between two synchronisations, within the calibration's {@link Deadline}. Which sizes are
 * timed, and when to stop, is {@link Calibrator}'s.
 */
final class SizeTiming {
  private static final int REPEATS = 2;

  /** A warm-up run within this share of the one before or the fastest: timings have settled. */
  static final double SETTLED = 0.10;

  /** Warm-up runs of one size at most: a size whose timings never settle is timed anyway. */
  static final int MAX_WARMUPS = 8;

  private SizeTiming() {}

  /**
   * The time budget, read after every run: a model that takes seconds a frame (a real SadTalker
   * network on a CPU) stops after its first run instead of ten, and a small job's calibration stops
   * at what the job can repay.
   */
  static final class Deadline {
    private final LongSupplier clock;
    private final CalibrationBudget time;
    private final long start;
    private long budgetNanos;

    Deadline(LongSupplier clock, CalibrationBudget time) {
      this.clock = clock;
      this.time = time;
      this.start = clock.getAsLong();
      this.budgetNanos = time.capNanos();
    }

    boolean passed() {
      return clock.getAsLong() - start > budgetNanos;
    }

    /**
     * A run's pace says what the job can repay: the budget shrinks to the fastest seen (the first
     * run carries one-time work: the clip's encoded source, the kernels' set-up; from it alone 8
     * reduced SadTalker clips kept the whole 3 s cap).
     */
    void paced(long nanosPerFrame) {
      budgetNanos = Math.min(budgetNanos, time.repayableNanos(nanosPerFrame));
    }
  }

  /**
   * One size: warmed until settled ({@link #warm}), then at least {@link #REPEATS} timed runs and
   * {@code minFrames} frames queued back to back between two synchronisations, so the time is the
   * device's work and none of the host's launches; frames/s over all of them. Past the deadline a
   * single timed run is enough. The peak is the largest of the size's runs (-1 if one is unknown),
   * but never the calibration's first run's ({@code firstOfCalibration}): that one carries the
   * one-time allocations (lazy initialisation, the execution plan, a clip's encoded source), which
   * once inflated batch 1's peak past batch 2's and planned 2 where 5 fit. The other runs differ by
   * the allocator's rounding, and a batch that starts from an emptied cache (each size's first run)
   * may need the most. An OOM propagates to the caller.
   */
  static ThroughputPoint measure(
      Calibrator.Probe probe,
      int size,
      int minFrames,
      Deadline deadline,
      boolean firstOfCalibration) {
    probe.beforeSize(size);
    if (firstOfCalibration) {
      // The calibration's first run, timed: when it alone spent the budget, it is the only point
      // (its peak with its one-time allocations: an overestimate, on the safe side), and the frame
      // it rendered is the caller's to keep. Nothing is rendered only to be thrown away.
      probe.synchronize();
      long start = probe.nanoTime();
      long peak = probe.run(size);
      probe.synchronize();
      long nanos = Math.max(1, probe.nanoTime() - start);
      deadline.paced(nanos / size);
      if (deadline.passed()) {
        return new ThroughputPoint(size, peak, size * 1e9 / nanos);
      }
    }
    long warmPeak = warm(probe, size, deadline);
    int runs = Math.max(REPEATS, (minFrames + size - 1) / size);
    probe.synchronize();
    long start = probe.nanoTime();
    long peak = warmPeak;
    int done = 0;
    while (done < runs && (done == 0 || !deadline.passed())) {
      long runPeak = probe.run(size);
      peak = runPeak < 0 || peak < 0 ? -1 : Math.max(peak, runPeak);
      done++;
    }
    probe.synchronize();
    long nanos = probe.nanoTime() - start;
    return new ThroughputPoint(size, peak, (long) done * size * 1e9 / Math.max(1, nanos));
  }

  /**
   * Runs {@code size} untimed until a run took within {@link #SETTLED} of the one before it or of
   * the fastest before it (at most {@link #MAX_WARMUPS} runs, and one once the deadline passed): on
   * a GPU TorchScript profiles the first calls of a new input shape and may compile fused kernels
   * for it on the next, and cuDNN and cuBLAS choose and allocate per shape, so a fixed count of
   * warm-ups would time some of that work for some sizes and not for others. The fastest-before
   * test ends a CPU's warm-up whose runs scatter around a floor (other processes, frequency) once
   * one lands near it again. Returns the largest peak seen (-1 if one is unknown).
   */
  private static long warm(Calibrator.Probe probe, int size, Deadline deadline) {
    long peak = 0;
    long previous = -1;
    long fastest = Long.MAX_VALUE;
    for (int i = 0; i < MAX_WARMUPS; i++) {
      probe.synchronize();
      long start = probe.nanoTime();
      long runPeak = probe.run(size);
      peak = runPeak < 0 || peak < 0 ? -1 : Math.max(peak, runPeak);
      probe.synchronize();
      long nanos = Math.max(1, probe.nanoTime() - start);
      deadline.paced(nanos / size);
      if (deadline.passed() || (previous > 0 && (near(nanos, previous) || near(nanos, fastest)))) {
        break;
      }
      previous = nanos;
      fastest = Math.min(fastest, nanos);
    }
    return peak;
  }

  private static boolean near(long a, long b) {
    return Math.abs(a - b) <= SETTLED * Math.max(a, b);
  }
}
