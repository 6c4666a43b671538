package dev.facerender.partition.render;

import dev.facerender.partition.frame.PendingFrame;

/**
 * The frame calibration rendered alone, and its pixels, held for the batch that later holds it:
 * frames give the same pixels in any batch, so that batch does not draw it again. Only the planning
 * task thread keeps and only the render stage takes, after the plan it waited for. Thread-safe.
 */
final class CalibrationFrame {
  private PendingFrame frame;
  private byte[] pixels;

  /**
   * Keeps a calibration run's pixels of {@code sample} alone (null pixels: nothing to keep, or the
   * output was not finite).
   */
  synchronized void keep(PendingFrame sample, byte[] samplePixels) {
    if (samplePixels != null && frame != sample) {
      frame = sample;
      pixels = samplePixels;
    }
  }

  /** The pixels kept for {@code first}, taken (a retry draws it again), or null. */
  synchronized byte[] take(PendingFrame first) {
    if (frame != first) {
      return null;
    }
    byte[] taken = pixels;
    frame = null;
    pixels = null;
    return taken;
  }
}
