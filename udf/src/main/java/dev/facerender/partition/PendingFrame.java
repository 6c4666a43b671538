package dev.facerender.partition;

/** A validated input frame waiting for its batch. */
record PendingFrame(String clipId, int frameIndex, float[] coeffs, ClipSource source) {}
