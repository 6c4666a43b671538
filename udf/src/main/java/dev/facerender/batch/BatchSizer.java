package dev.facerender.batch;

import java.util.List;
import java.util.Locale;

/** Batch sizing as a pure function of memory, cost, caps and measured speed. */
public final class BatchSizer {
  private BatchSizer() {}

  /**
   * Everything sizing looks at. {@code reservedByOthers} is what other tasks on the same device in
   * this executor hold; {@code sharers} how many tasks may share the device at once; {@code cpu}
   * whether the device is the CPU, where one measured batch says nothing of larger ones.
   */
  public record Input(
      long freeBytes,
      long totalBytes,
      long reservedByOthers,
      int sharers,
      double memoryFraction,
      long perFrameBytes,
      long fixedBytes,
      int maxBatch,
      List<ThroughputPoint> curve,
      HeapLimit heap,
      double speedTolerance,
      boolean cpu) {
    public Input {
      java.util.Objects.requireNonNull(heap, "heap is null");
      if (!(speedTolerance >= 0 && speedTolerance < 1)) {
        throw new IllegalArgumentException("speedTolerance must be in [0, 1): " + speedTolerance);
      }
      curve = List.copyOf(curve);
      if (sharers < 1 || maxBatch < 1 || perFrameBytes <= 0) {
        throw new IllegalArgumentException(
            "sharers, maxBatch and perFrameBytes must be positive: "
                + sharers
                + ", "
                + maxBatch
                + ", "
                + perFrameBytes);
      }
    }

    /** Sizing with no heap bound (a caller that holds no batch on the heap). */
    public Input(
        long freeBytes,
        long totalBytes,
        long reservedByOthers,
        int sharers,
        double memoryFraction,
        long perFrameBytes,
        long fixedBytes,
        int maxBatch,
        List<ThroughputPoint> curve) {
      this(
          freeBytes,
          totalBytes,
          reservedByOthers,
          sharers,
          memoryFraction,
          perFrameBytes,
          fixedBytes,
          maxBatch,
          curve,
          HeapLimit.NONE,
          SPEED_TOLERANCE,
          false);
    }
  }

  public static BatchPlan plan(Input in) {
    return in.heap().bound(planDevice(in));
  }

  private static BatchPlan planDevice(Input in) {
    long budget =
        taskBudget(in.freeBytes(), in.memoryFraction(), in.reservedByOthers(), in.sharers());
    long lineFrames = Math.max(0, (budget - in.fixedBytes()) / in.perFrameBytes());
    long memoryFrames = measuredBound(lineFrames, in.curve(), budget);
    String memory =
        String.format(
            Locale.ROOT,
            "budget %s = min(free %s x %.2f - %s held by other tasks, that / %d sharers);"
                + " (budget - fixed %s) / %s per frame = %d frames%s",
            mib(budget),
            mib(in.freeBytes()),
            in.memoryFraction(),
            mib(in.reservedByOthers()),
            in.sharers(),
            mib(in.fixedBytes()),
            mib(in.perFrameBytes()),
            lineFrames,
            memoryFrames == lineFrames
                ? ""
                : "; measured sizes around the budget say " + memoryFrames + " frames");
    if (memoryFrames < 1) {
      return new BatchPlan(
          1, 0, budget, memory + "; below one frame: batch 1 and let OOM retry decide");
    }
    int limit = (int) Math.min(in.maxBatch(), memoryFrames);
    String capped = limit < memoryFrames ? "; level cap " + in.maxBatch() : "";
    ThroughputPoint best = null;
    ThroughputPoint largest = null;
    int measured = 0;
    for (ThroughputPoint p : in.curve()) {
      if (p.batch() > limit) {
        continue;
      }
      measured++;
      if (best == null || p.framesPerSecond() > best.framesPerSecond()) {
        best = p;
      }
      if (largest == null || p.batch() > largest.batch()) {
        largest = p;
      }
    }
    if (best == null) {
      return new BatchPlan(limit, limit, budget, memory + capped + "; no speed measured: " + limit);
    }
    if (in.cpu() && measured == 1 && limit > best.batch()) {
      // A GPU's occupancy grows with the batch; a CPU runs one frame's operations on all its
      // threads already, and a larger batch only adds memory (the stock SadTalker network: 7.1 s
      // a frame at batch 7 against 6.7 at batch 1). With no second size timed, stay at the first.
      return new BatchPlan(
          best.batch(),
          limit,
          budget,
          String.format(
              Locale.ROOT,
              "%s%s; on the CPU one batch size was measured, %d (%.0f frames/s): the fastest"
                  + " known, as larger batches are not assumed faster on a CPU",
              memory,
              capped,
              best.batch(),
              best.framesPerSecond()));
    }
    double asFast = best.framesPerSecond() * (1 - in.speedTolerance());
    ThroughputPoint chosen = SpeedCurve.largestAsFast(in.curve(), limit, best, asFast);
    // On a CPU only a rising curve says more frames a batch pay: a level one there buys memory
    // and longer batches, which the other tasks wait out to plan (a SadTalker export at bf16,
    // level from 1 to 4 frames, planned 64 and left one of two tasks waiting a third of the run).
    boolean grows =
        in.cpu()
            ? SpeedCurve.risingAt(in.curve(), chosen, in.speedTolerance())
            : SpeedCurve.notFallingPast(in.curve(), chosen, asFast);
    if (chosen == largest && limit > chosen.batch() && grows) {
      return new BatchPlan(
          limit,
          limit,
          budget,
          String.format(
              Locale.ROOT,
              "%s%s; speed still rising or level (within %.0f%% of the fastest, %.0f frames/s)"
                  + " at the largest measured batch in budget, %d: take the memory limit %d",
              memory,
              capped,
              100 * in.speedTolerance(),
              best.framesPerSecond(),
              chosen.batch(),
              limit));
    }
    return new BatchPlan(
        chosen.batch(),
        limit,
        budget,
        String.format(
            Locale.ROOT,
            "%s%s; fastest measured batch within it: %d (%.0f frames/s)%s",
            memory,
            capped,
            best.batch(),
            best.framesPerSecond(),
            chosen == best
                ? ""
                : String.format(
                    Locale.ROOT,
                    "; the largest within %.0f%% of it: %d (%.0f frames/s)",
                    100 * in.speedTolerance(),
                    chosen.batch(),
                    chosen.framesPerSecond())));
  }

  /**
   * How much slower than the fastest a larger measured batch may be and still be chosen, where the
   * caller names no level: the default level's ({@link Level#speedTolerance}). A flat speed curve
   * (the reference network on a CPU costs the same per frame at every batch) would otherwise pick
   * whichever size the timing noise favoured, from run to run.
   */
  static final double SPEED_TOLERANCE = Level.MEDIUM.speedTolerance();

  /**
   * What one task may plan for: its share of {@code freeBytes x memoryFraction}, less what the
   * other tasks on the device hold.
   */
  public static long taskBudget(
      long freeBytes, double memoryFraction, long reservedByOthers, int sharers) {
    long usable = (long) (freeBytes * memoryFraction);
    return Math.min(usable - reservedByOthers, usable / sharers);
  }

  /**
   * {@code lineFrames} corrected by what was rendered: a size whose measured peak fit {@code
   * budget} fits, a size whose peak passed it does not (the line is a fit through two sizes; these
   * are measurements, and calibration bisects the sizes around the limit).
   */
  static long measuredBound(long lineFrames, List<ThroughputPoint> curve, long budget) {
    long fits = 0;
    long over = Long.MAX_VALUE;
    for (ThroughputPoint p : curve) {
      if (p.peakBytes() < 0) {
        continue;
      }
      if (p.peakBytes() <= budget) {
        fits = Math.max(fits, p.batch());
      } else {
        over = Math.min(over, p.batch());
      }
    }
    return Math.min(Math.max(lineFrames, fits), over - 1);
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
  }
}
