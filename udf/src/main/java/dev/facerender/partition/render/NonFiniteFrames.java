package dev.facerender.partition.render;

import dev.facerender.metrics.FrameError;
import dev.facerender.partition.frame.PendingFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * The error rows of frames whose pixels were dropped because the model returned NaN or infinity.
 */
final class NonFiniteFrames {
  /** Error code of a frame the model (or enhancer) rendered as NaN or infinity. */
  static final String NON_FINITE_OUTPUT = "NON_FINITE_OUTPUT";

  private NonFiniteFrames() {}

  /**
   * An error row for each frame whose pixels are null in {@code pixels} (same order as {@code
   * frames}); {@code stage} names the model, and the enhancer after it if any.
   */
  static List<FrameError> errors(
      String runId, String stage, List<PendingFrame> frames, List<byte[]> pixels) {
    List<FrameError> errors = new ArrayList<>();
    for (int i = 0; i < frames.size(); i++) {
      if (pixels.get(i) == null) {
        PendingFrame frame = frames.get(i);
        errors.add(
            new FrameError(
                runId,
                frame.clipId(),
                frame.frameIndex(),
                "render",
                NON_FINITE_OUTPUT,
                "model "
                    + stage
                    + " returned NaN or infinite values for this frame (in a batch of "
                    + frames.size()
                    + "); the frame was not written. Check the model's numerics or lower"
                    + " --batch-size"));
      }
    }
    return errors;
  }
}
