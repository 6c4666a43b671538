package dev.facerender.partition;

import java.util.List;

/**
 * A rendered piece: each frame's 8-bit pixels in input order (null for a frame that became an
 * error), not yet encoded, and what rendering cost.
 */
record RenderedBatch(
    List<PendingFrame> frames, List<byte[]> pixels, long renderNanos, long peakBytes) {}
