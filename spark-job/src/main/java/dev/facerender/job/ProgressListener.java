package dev.facerender.job;

import org.apache.spark.util.LongAccumulator;

/** Follows a render's progress from the driver. */
public interface ProgressListener {
  ProgressListener NONE = new ProgressListener() {};

  default void start(long totalFrames, LongAccumulator done) {}

  default void stop() {}
}
