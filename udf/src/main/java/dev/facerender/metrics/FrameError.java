package dev.facerender.metrics;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;

/**
 * One rejected input row: what went into {@code errors/}. {@code frameIndex} is null when the row
 * had none; {@code stage} names where it was rejected (input, decode, render, encode).
 */
public record FrameError(
    String runId, String clipId, Integer frameIndex, String stage, String code, String message)
    implements Serializable {
  public FrameError {
    requireNonNull(runId, "runId is null");
    requireNonNull(stage, "stage is null");
    requireNonNull(code, "code is null");
    requireNonNull(message, "message is null");
  }
}
