package dev.facerender.job;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.metrics.SampledFrame;
import java.util.List;
import java.util.Map;

/**
 * What a render did: counts, timings, the peak resident memory of the driver JVM (the executor too
 * in local mode; -1 when unknown), the batches in aggregate with a sample, rejected rows per error
 * code with a sample of them, the frames sampled for the report, the device(s) it rendered on with
 * the reason they were chosen, and why report.html was not written (null when it was; the run's
 * outcome does not depend on it).
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
    MetricsDigest metrics,
    Map<String, Long> errorCodes,
    List<FrameError> errors,
    List<SampledFrame> samples,
    String device,
    String deviceReason,
    String reportFailure) {
  public RunSummary {
    samples = List.copyOf(samples);
    settings = Map.copyOf(settings);
    errorCodes = Map.copyOf(errorCodes);
    errors = List.copyOf(errors);
  }

  public RunSummary withReportFailure(String reason) {
    return new RunSummary(
        runId,
        out,
        master,
        settings,
        inputFrames,
        renderedFrames,
        errorFrames,
        renderWallNanos,
        totalWallNanos,
        peakRssBytes,
        metrics,
        errorCodes,
        errors,
        samples,
        device,
        deviceReason,
        reason);
  }

  /** A sample of the batches (all of them for small runs): see {@link MetricsDigest#sampleNote}. */
  public List<BatchMetrics> batches() {
    return metrics.sample();
  }

  public long batchCount() {
    return metrics.batches();
  }

  /** Frames written per second of the Spark render job (read, shuffle, render, encode, write). */
  public double framesPerSecond() {
    return renderedFrames * 1e9 / Math.max(1, renderWallNanos);
  }

  /** Frames per second of model time alone, summed over batches (per task, not per machine). */
  public double renderOnlyFramesPerSecond() {
    long nanos = metrics.total("render_nanos");
    return renderedFrames * 1e9 / Math.max(1, nanos);
  }

  public int ooms() {
    return (int) metrics.total("ooms");
  }

  public int splits() {
    return (int) metrics.total("splits");
  }
}
