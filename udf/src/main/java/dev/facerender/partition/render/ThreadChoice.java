package dev.facerender.partition.render;

import java.util.HashMap;
import java.util.Map;

/**
 * How many libtorch threads a task's next batch takes, out of the share of cores it is offered
 * ({@code CoreShare}): the offered count until a batch measured otherwise, then the count that
 * rendered a frame fastest among those measured within the offer. More threads are not always
 * faster: a reduced SadTalker export renders a frame in 0.21 s on one OpenMP thread and 0.29 s on
 * two (PyTorch 1.13, this 2-core CPU; Facerender's libtorch alike), and the last task of a run,
 * alone, used to take both cores and slow down; the stock network renders 1.85x faster on two.
 * Never more than offered: fewer cores offered (another task started) is followed at once.
 *
 * <p>The count fewer threads was measured at ran beside other tasks, sharing caches and memory
 * bandwidth, so it reads a little slow against a count measured alone: the choice leans to more
 * threads, which is the offer. One task's batches use it, one after another; thread-safe.
 */
final class ThreadChoice {
  /** Weight of the newest batch in a count's per-frame figure. */
  private static final double NEWEST = 0.5;

  private final Map<Integer, Double> nanosPerFrame = new HashMap<>();

  /** The threads for a batch starting now, when {@code offered} are this task's share. */
  synchronized int choose(int offered) {
    if (!nanosPerFrame.containsKey(offered)) {
      return offered;
    }
    int best = offered;
    for (Map.Entry<Integer, Double> measured : nanosPerFrame.entrySet()) {
      if (measured.getKey() < offered && measured.getValue() < nanosPerFrame.get(best)) {
        best = measured.getKey();
      }
    }
    return best;
  }

  /** A batch of {@code frames} frames took {@code nanos} on {@code threads} threads. */
  synchronized void record(int threads, int frames, long nanos) {
    if (frames < 1 || nanos <= 0) {
      return;
    }
    double perFrame = (double) nanos / frames;
    nanosPerFrame.merge(threads, perFrame, (old, now) -> old * (1 - NEWEST) + now * NEWEST);
  }
}
