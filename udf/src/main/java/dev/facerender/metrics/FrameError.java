package dev.facerender.metrics;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;

/**
 * One rejected input row: what went into {@code errors/}. {@code frameIndex} is null when the row
 * had none; {@code stage} names where it was rejected (input, decode, render, encode), or is {@link
 * #SOURCE_ROW} for a source row that no frame used (such rows count no input frame).
 */
public record FrameError(
    String runId, String clipId, Integer frameIndex, String stage, String code, String message)
    implements Serializable {
  public static final String SOURCE_ROW = "source";

  public FrameError {
    requireNonNull(runId, "runId is null");
    requireNonNull(stage, "stage is null");
    requireNonNull(code, "code is null");
    requireNonNull(message, "message is null");
  }

  /** Whether this row stands for one input frame (every stage but {@link #SOURCE_ROW}). */
  public boolean isFrame() {
    return !SOURCE_ROW.equals(stage);
  }
}
