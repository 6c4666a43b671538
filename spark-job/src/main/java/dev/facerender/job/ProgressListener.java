package dev.facerender.job;

import java.util.function.LongSupplier;

/** Follows a render's progress from the driver. */
public interface ProgressListener {
  ProgressListener NONE = new ProgressListener() {};

  /**
   * Called once before the first wave; {@code done} reads frames done so far, running tasks'
   * batches included (as of their executors' last heartbeat).
   */
  default void start(long totalFrames, LongSupplier done) {}

  default void stop() {}
}
