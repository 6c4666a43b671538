package dev.facerender.partition;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.metrics.SampledFrame;
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
  private final FrameSample sample;
  private final CollectionAccumulator<SampledFrame> samples;

  public AccumulatorSinks(
      CollectionAccumulator<FrameError> errors,
      CollectionAccumulator<BatchMetrics> metrics,
      LongAccumulator done) {
    this(errors, metrics, done, FrameSample.NONE, null);
  }

  /** Also sends back the frames {@code sample} names, into {@code samples}. */
  public AccumulatorSinks(
      CollectionAccumulator<FrameError> errors,
      CollectionAccumulator<BatchMetrics> metrics,
      LongAccumulator done,
      FrameSample sample,
      CollectionAccumulator<SampledFrame> samples) {
    this.errors = errors;
    this.metrics = metrics;
    this.done = done;
    this.sample = sample;
    this.samples = samples;
  }

  @Override
  public boolean wantsSample(String clipId, int frameIndex) {
    return samples != null && sample.wants(clipId, frameIndex);
  }

  @Override
  public void sample(SampledFrame frame) {
    samples.add(frame);
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
