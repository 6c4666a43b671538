package dev.facerender.partition.render;

import dev.facerender.partition.frame.PendingFrame;
import java.util.ArrayList;
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
   * A batch's frames as calibration left them: the pixels it kept, by the batch's order (null where
   * it kept none), and the frames still to draw, in order.
   */
  record Taken(byte[][] kept, List<PendingFrame> toDraw) {
    /** The batch's pixels in its order, {@code drawn} (one per frame to draw) between the kept. */
    List<byte[]> merge(List<byte[]> drawn) {
      if (toDraw.size() == kept.length) {
        return drawn;
      }
      List<byte[]> pixels = new ArrayList<>(kept.length);
      int next = 0;
      for (byte[] frame : kept) {
        pixels.add(frame != null ? frame : drawn.get(next++));
      }
      return pixels;
    }
  }

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

  /** Takes the pixels kept for {@code frames} (a retry draws them again). */
  synchronized Taken take(List<PendingFrame> frames) {
    byte[][] taken = new byte[frames.size()][];
    List<PendingFrame> toDraw = new ArrayList<>(frames.size());
    for (int i = 0; i < frames.size(); i++) {
      taken[i] = kept.isEmpty() ? null : kept.remove(frames.get(i));
      if (taken[i] == null) {
        toDraw.add(frames.get(i));
      }
    }
    return new Taken(taken, toDraw);
  }
}
