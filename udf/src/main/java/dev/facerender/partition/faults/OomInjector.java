package dev.facerender.partition.faults;

import dev.facerender.retry.OutOfMemoryErrors;
import java.util.SplittableRandom;

/**
 * Fault injection for rehearsals: fails batch attempts with exactly the message a CUDA OOM carries,
 * so they take the real recovery path. Deterministic for a seed and partition.
 */
final class OomInjector implements BatchFaults {
  private final double rate;
  private final int above;
  private final SplittableRandom random;

  OomInjector(double rate, int above, long seed, int partition) {
    this.rate = rate;
    this.above = above;
    this.random = new SplittableRandom(seed * 1_000_003L + partition);
  }

  @Override
  public void check(int frames, long pixels) {
    boolean tooBig = above > 0 && frames > above;
    boolean unlucky = rate > 0 && random.nextDouble() < rate;
    if (tooBig || unlucky) {
      long requested = frames * pixels * 3L * Float.BYTES * 4;
      throw new RuntimeException(
          OutOfMemoryErrors.cudaMessage(requested, 0, 16L << 30, requested / 2)
              + (tooBig ? " [injected: batch above " + above + "]" : " [injected]"));
    }
  }
}
