package dev.facerender.metrics;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;

/**
 * One clip's MP4 as a task attempt wrote it: where the attempt staged it ({@code stagedPath}, under
 * {@code videos/_temporary}), what it holds and which encoder made it. The driver commits only the
 * files of successful attempts, renaming each to its final name. {@code audioSeconds} is 0 and
 * {@code audio} is "none" for a clip without audio.
 */
public record VideoFile(
    String runId,
    String clipId,
    String stagedPath,
    long frames,
    String fps,
    double seconds,
    String encoder,
    double audioSeconds,
    String audio,
    long bytes,
    long encodeNanos,
    int partition,
    int attempt)
    implements Serializable {
  public VideoFile {
    requireNonNull(runId, "runId is null");
    requireNonNull(clipId, "clipId is null");
    requireNonNull(stagedPath, "stagedPath is null");
    requireNonNull(fps, "fps is null");
    requireNonNull(encoder, "encoder is null");
    requireNonNull(audio, "audio is null");
    if (frames < 1) {
      throw new IllegalArgumentException("a video has at least one frame, got " + frames);
    }
  }
}
