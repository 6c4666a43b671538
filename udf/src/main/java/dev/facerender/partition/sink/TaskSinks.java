package dev.facerender.partition.sink;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.metrics.SampledFrame;
import dev.facerender.metrics.VideoFile;

/** Where one task attempt reports what is not a frame row ({@link RunSinks#forTask}). */
public interface TaskSinks {
  void error(FrameError error);

  void metrics(BatchMetrics metrics);

  /** A clip's video, staged by this attempt. */
  default void video(VideoFile video) {}

  /** Frames finished (rendered or rejected), for progress reporting. */
  default void progress(long frames) {}

  /** Whether the driver wants frame {@code frameIndex} of {@code clipId} back (report sample). */
  default boolean wantsSample(String clipId, int frameIndex) {
    return false;
  }

  default void sample(SampledFrame frame) {}

  /** The task reported all its rows: flush and announce them. Runs before the task commits. */
  default void finish() {}

  /** The task failed or was killed before {@link #finish}: release what it holds. */
  default void abort() {}
}
