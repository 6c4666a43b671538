package dev.facerender.retry;

/**
 * The largest batch to try next, learnt from OOMs. After an OOM the ceiling drops to the size that
 * then worked and never again reaches a size that failed; after {@code growAfter} successes in a
 * row it grows by a quarter (at least one frame), up to the planned batch and below the smallest
 * size that failed. Thread-safe: tasks of one executor that share a device share its ceiling.
 */
public final class AdaptiveCeiling {
  private final int growAfter;
  private int planned;
  private int ceiling;
  private int smallestFailure = Integer.MAX_VALUE;
  private int successesInRow;

  public AdaptiveCeiling(int planned, int growAfter) {
    if (planned < 1 || growAfter < 1) {
      throw new IllegalArgumentException(
          "planned and growAfter must be >= 1, got " + planned + ", " + growAfter);
    }
    this.planned = planned;
    this.ceiling = planned;
    this.growAfter = growAfter;
  }

  public synchronized int ceiling() {
    return ceiling;
  }

  /** A new plan (free memory changed); the sizes known to fail still bound it. */
  public synchronized void replan(int newPlanned) {
    planned = Math.max(1, newPlanned);
    ceiling = Math.min(planned, Math.max(1, smallestFailure - 1));
  }

  public synchronized void onOutOfMemory(int size) {
    smallestFailure = Math.min(smallestFailure, size);
    ceiling = Math.max(1, Math.min(ceiling, size / 2));
    successesInRow = 0;
  }

  public synchronized void onSuccess(int size) {
    if (size < ceiling) {
      return;
    }
    if (++successesInRow >= growAfter) {
      successesInRow = 0;
      int grown = Math.max(ceiling + 1, ceiling + ceiling / 4);
      ceiling = Math.min(grown, Math.min(planned, Math.max(1, smallestFailure - 1)));
    }
  }
}
