package dev.facerender.partition;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.metrics.SampledFrame;

/** Where a task reports what is not a frame row. */
public interface TaskSinks {
  void error(FrameError error);

  void metrics(BatchMetrics metrics);

  /** Frames finished (rendered or rejected), for progress reporting. */
  default void progress(long frames) {}

  /** Whether the driver wants frame {@code frameIndex} of {@code clipId} back (report sample). */
  default boolean wantsSample(String clipId, int frameIndex) {
    return false;
  }

  default void sample(SampledFrame frame) {}
}
