package dev.facerender.partition;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.metrics.VideoFile;

/** Where a task reports what is not a frame row. */
public interface TaskSinks {
  void error(FrameError error);

  void metrics(BatchMetrics metrics);

  /** A clip's video, staged by this attempt. */
  default void video(VideoFile video) {}

  /** Frames finished (rendered or rejected), for progress reporting. */
  default void progress(long frames) {}
}
