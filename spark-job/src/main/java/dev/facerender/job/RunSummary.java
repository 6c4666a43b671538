package dev.facerender.job;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.metrics.SampledFrame;
import java.util.List;
import java.util.Map;

/**
 * What a render did: counts, timings, the peak resident memory of the driver JVM (the executor too
 * in local mode; -1 when unknown), the batches, the rejected rows and the frames sampled for the
 * report.
 */
public record RunSummary(
    String runId,
    String out,
    String master,
    Map<String, String> settings,
    long inputFrames,
    long renderedFrames,
    long errorFrames,
    long renderWallNanos,
    long totalWallNanos,
    long peakRssBytes,
    List<BatchMetrics> batches,
    List<FrameError> errors,
    List<SampledFrame> samples) {
  public RunSummary {
    samples = List.copyOf(samples);
    settings = Map.copyOf(settings);
    batches = List.copyOf(batches);
    errors = List.copyOf(errors);
  }

  /** Frames written per second of the Spark render job (read, shuffle, render, encode, write). */
  public double framesPerSecond() {
    return renderedFrames * 1e9 / Math.max(1, renderWallNanos);
  }

  /** Frames per second of model time alone, summed over batches (per task, not per machine). */
  public double renderOnlyFramesPerSecond() {
    long nanos = batches.stream().mapToLong(BatchMetrics::renderNanos).sum();
    return renderedFrames * 1e9 / Math.max(1, nanos);
  }

  public int ooms() {
    return batches.stream().mapToInt(BatchMetrics::ooms).sum();
  }

  public int splits() {
    return batches.stream().mapToInt(BatchMetrics::splits).sum();
  }
}
