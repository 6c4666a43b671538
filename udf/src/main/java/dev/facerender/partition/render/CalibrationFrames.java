package dev.facerender.partition.render;

import dev.facerender.partition.frame.PendingFrame;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frames calibration rendered, and their pixels, held for the batches that later hold them:
 * calibration runs the task's own first frames, and frames give the same pixels in any batch, so
 * those batches do not draw them again. Keyed by identity: a frame is this task's object, and two
 * frames with equal fields are still two output rows. The planning task thread keeps and the render
 * stage takes, after the plan it waited for. Thread-safe.
 */
final class CalibrationFrames {
  private final Map<PendingFrame, byte[]> kept = new IdentityHashMap<>();

  /**
   * Keeps a calibration run's pixels, {@code pixels.get(i)} for {@code frames.get(i)}; a frame the
   * run holds twice (a batch larger than the frames at hand) or already kept is kept once, and null
   * pixels (output that was not finite) are not kept: the frame's batch draws it and reports it.
   */
  synchronized void keep(List<PendingFrame> frames, List<byte[]> pixels) {
    for (int i = 0; i < frames.size(); i++) {
      if (pixels.get(i) != null) {
        kept.putIfAbsent(frames.get(i), pixels.get(i));
      }
    }
  }

  /** The pixels kept for {@code frame}, taken (a retry draws it again), or null. */
  synchronized byte[] take(PendingFrame frame) {
    return kept.isEmpty() ? null : kept.remove(frame);
  }
}
