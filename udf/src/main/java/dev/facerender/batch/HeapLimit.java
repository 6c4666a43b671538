package dev.facerender.batch;

import java.util.Locale;

/**
 * What the JVM heap holds per planned batch: every in-flight batch keeps its frames' 8-bit pixels
 * and encoded bytes on the heap, and up to {@code batchesHeld} batches (pipeline depth + the one
 * being encoded) exist at once, within {@code budgetBytes} of this task's share of the heap.
 */
public record HeapLimit(long budgetBytes, long bytesPerFrame, int batchesHeld) {
  public static final HeapLimit NONE = new HeapLimit(Long.MAX_VALUE, 1, 1);

  public HeapLimit {
    if (budgetBytes < 0 || bytesPerFrame < 1 || batchesHeld < 1) {
      throw new IllegalArgumentException(
          "heap budget >= 0, bytes per frame and batches held >= 1: "
              + budgetBytes
              + ", "
              + bytesPerFrame
              + ", "
              + batchesHeld);
    }
  }

  /** The largest batch the heap can hold, at least 1 (one frame always goes: OOM retry decides). */
  public int frames() {
    long frames = budgetBytes / bytesPerFrame / batchesHeld;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, frames));
  }

  String explain() {
    return String.format(
        Locale.ROOT,
        "heap %s / (%s per frame x %d batches held) = %d frames",
        BatchSizer.mib(budgetBytes),
        BatchSizer.mib(bytesPerFrame),
        batchesHeld,
        frames());
  }

  /** {@code batch} bounded by the heap, with the reason appended when the heap binds. */
  public BatchPlan bound(BatchPlan plan) {
    if (plan.batch() <= frames()) {
      return plan;
    }
    return new BatchPlan(
        frames(),
        Math.min(plan.memoryLimit(), frames()),
        plan.taskBudgetBytes(),
        plan.reason() + "; " + explain() + " binds");
  }
}
