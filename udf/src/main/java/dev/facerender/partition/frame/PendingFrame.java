package dev.facerender.partition.frame;

/** A validated input frame waiting for its batch. */
public record PendingFrame(String clipId, int frameIndex, float[] coeffs, ClipSource source) {}
