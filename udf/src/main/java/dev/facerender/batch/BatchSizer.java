package dev.facerender.batch;

import java.util.List;
import java.util.Locale;

/** Batch sizing as a pure function of memory, cost, caps and measured speed. */
public final class BatchSizer {
  private BatchSizer() {}

  /**
   * Everything sizing looks at. {@code reservedByOthers} is what other tasks on the same device in
   * this executor hold; {@code sharers} how many tasks may share the device at once.
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
      List<ThroughputPoint> curve) {
    public Input {
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
  }

  public static BatchPlan plan(Input in) {
    long usable = (long) (in.freeBytes() * in.memoryFraction());
    long budget = Math.min(usable - in.reservedByOthers(), usable / in.sharers());
    long memoryFrames = Math.max(0, (budget - in.fixedBytes()) / in.perFrameBytes());
    String memory =
        String.format(
            Locale.ROOT,
            "budget %s = min(free %s x %.2f - %s held by other tasks, that / %d sharers);"
                + " (budget - fixed %s) / %s per frame = %d frames",
            mib(budget),
            mib(in.freeBytes()),
            in.memoryFraction(),
            mib(in.reservedByOthers()),
            in.sharers(),
            mib(in.fixedBytes()),
            mib(in.perFrameBytes()),
            memoryFrames);
    if (memoryFrames < 1) {
      return new BatchPlan(
          1, 0, budget, memory + "; below one frame: batch 1 and let OOM retry decide");
    }
    int limit = (int) Math.min(in.maxBatch(), memoryFrames);
    String capped = limit < memoryFrames ? "; level cap " + in.maxBatch() : "";
    ThroughputPoint best = null;
    ThroughputPoint largest = null;
    for (ThroughputPoint p : in.curve()) {
      if (p.batch() > limit) {
        continue;
      }
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
    if (best == largest && limit > best.batch() && risingAtEnd(in.curve(), best)) {
      return new BatchPlan(
          limit,
          limit,
          budget,
          String.format(
              Locale.ROOT,
              "%s%s; speed still rising past the largest measured batch in budget, %d (%.0f"
                  + " frames/s):"
                  + " take the memory limit %d",
              memory,
              capped,
              best.batch(),
              best.framesPerSecond(),
              limit));
    }
    return new BatchPlan(
        best.batch(),
        limit,
        budget,
        String.format(
            Locale.ROOT,
            "%s%s; fastest measured batch within it: %d (%.0f frames/s)",
            memory,
            capped,
            best.batch(),
            best.framesPerSecond()));
  }

  /** Whether speed was still rising past {@code best}: nothing larger measured, or faster. */
  private static boolean risingAtEnd(List<ThroughputPoint> curve, ThroughputPoint best) {
    return curve.stream()
        .filter(p -> p.batch() > best.batch())
        .min(java.util.Comparator.comparingInt(ThroughputPoint::batch))
        .map(next -> next.framesPerSecond() > best.framesPerSecond())
        .orElse(true);
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
  }
}
