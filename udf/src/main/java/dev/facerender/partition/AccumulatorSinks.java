package dev.facerender.partition;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.metrics.VideoFile;
import java.io.Serializable;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * Sinks backed by Spark accumulators. Spark merges an accumulator update of a task only when the
 * attempt succeeds, once per task, so errors, metrics and staged videos stay exactly-once across
 * retries.
 */
public final class AccumulatorSinks implements TaskSinks, Serializable {
  private static final long serialVersionUID = 1L;

  private final CollectionAccumulator<FrameError> errors;
  private final CollectionAccumulator<BatchMetrics> metrics;
  private final LongAccumulator done;
  private final CollectionAccumulator<VideoFile> videos;

  public AccumulatorSinks(
      CollectionAccumulator<FrameError> errors,
      CollectionAccumulator<BatchMetrics> metrics,
      LongAccumulator done) {
    this(errors, metrics, done, null);
  }

  /** With {@code videos} (null when the run makes none). */
  public AccumulatorSinks(
      CollectionAccumulator<FrameError> errors,
      CollectionAccumulator<BatchMetrics> metrics,
      LongAccumulator done,
      CollectionAccumulator<VideoFile> videos) {
    this.errors = errors;
    this.metrics = metrics;
    this.done = done;
    this.videos = videos;
  }

  @Override
  public void error(FrameError error) {
    errors.add(error);
  }

  @Override
  public void metrics(BatchMetrics batch) {
    metrics.add(batch);
  }

  @Override
  public void video(VideoFile video) {
    videos.add(video);
  }

  @Override
  public void progress(long frames) {
    done.add(frames);
  }
}
