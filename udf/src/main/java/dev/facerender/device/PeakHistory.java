package dev.facerender.device;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Peaks measured per batch size and frame size, and the straight line through the two largest batch
 * sizes seen: what a batch of another size will need. Thread-safe.
 */
final class PeakHistory {
  /** Pixels per frame -> batch size -> the largest peak measured for it. */
  private final Map<Long, TreeMap<Integer, Long>> peaks = new HashMap<>();

  synchronized void record(int frames, long pixels, long peak) {
    peaks.computeIfAbsent(pixels, p -> new TreeMap<>()).merge(frames, peak, Math::max);
  }

  /** The predicted peak of {@code frames} frames, or -1 until two batch sizes were measured. */
  synchronized long predict(int frames, long pixels) {
    TreeMap<Integer, Long> seen = peaks.get(pixels);
    if (seen == null) {
      return -1;
    }
    Long exact = seen.get(frames);
    if (exact != null) {
      return exact;
    }
    if (seen.size() < 2) {
      return -1;
    }
    Map.Entry<Integer, Long> last = seen.lastEntry();
    Map.Entry<Integer, Long> before = seen.lowerEntry(last.getKey());
    double perFrame =
        Math.max(0, (last.getValue() - before.getValue()))
            / (double) (last.getKey() - before.getKey());
    return Math.round(last.getValue() + perFrame * (frames - last.getKey()));
  }
}
