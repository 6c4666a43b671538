package dev.facerender.partition.render;

import static java.util.Objects.requireNonNull;

import dev.facerender.metrics.FrameError;
import dev.facerender.partition.frame.PendingFrame;
import java.util.List;

/**
 * A rendered piece: each frame's 8-bit pixels in input order (null for a frame that became an
 * error), not yet encoded, and what rendering cost.
 */
public record RenderedBatch(
    List<PendingFrame> frames,
    List<byte[]> pixels,
    List<FrameError> errors,
    long renderNanos,
    long peakBytes) {
  public RenderedBatch {
    requireNonNull(frames, "frames is null");
    requireNonNull(pixels, "pixels is null");
    errors = List.copyOf(errors);
  }
}
