package dev.facerender.partition;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import java.io.Serializable;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * Sinks backed by Spark accumulators. Spark merges an accumulator update of a task only when the
 * attempt succeeds, once per task, so errors and metrics stay exactly-once across retries.
 */
public final class AccumulatorSinks implements TaskSinks, Serializable {
  private static final long serialVersionUID = 1L;

  private final CollectionAccumulator<FrameError> errors;
  private final CollectionAccumulator<BatchMetrics> metrics;
  private final LongAccumulator done;

  public AccumulatorSinks(
      CollectionAccumulator<FrameError> errors,
      CollectionAccumulator<BatchMetrics> metrics,
      LongAccumulator done) {
    this.errors = errors;
    this.metrics = metrics;
    this.done = done;
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
  public void progress(long frames) {
    done.add(frames);
  }
}
