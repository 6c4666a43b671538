package dev.facerender.partition;

import java.util.List;

/** A rendered piece: encoded frames in input order and where the time went. */
record RenderedBatch(
    List<PendingFrame> frames,
    List<byte[]> encoded,
    long renderNanos,
    long encodeNanos,
    long peakBytes) {}
