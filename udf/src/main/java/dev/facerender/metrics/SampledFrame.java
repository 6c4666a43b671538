package dev.facerender.metrics;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;

/**
 * A rendered frame the driver asked for in advance, for the report's contact sheet and preview: the
 * run's own output, sent back as it was written, so the report needs no second pass over {@code
 * frames/}.
 */
public record SampledFrame(
    String clipId, int frameIndex, int width, int height, String format, byte[] image)
    implements Serializable {
  public SampledFrame {
    requireNonNull(clipId, "clipId is null");
    requireNonNull(format, "format is null");
    requireNonNull(image, "image is null");
  }
}
