package dev.facerender.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.partition.RenderSettings;
import dev.facerender.report.HtmlReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Writes a finished run's report.html, metrics.json (for readers without Parquet) and, last,
 * run.json, each atomically.
 */
final class RunFiles {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RunFiles() {}

  /** {@code failure} is null for a run that passed its checks, else why it failed. */
  static void write(
      RunSummary summary,
      RenderSettings settings,
      OutputFolder out,
      SparkSession spark,
      String failure,
      RunStatus status,
      Phases phases) {
    try {
      long reportStart = System.nanoTime();
      String report = HtmlReport.render(summary);
      long reportNanos = System.nanoTime() - reportStart;
      phases.end("report");
      Map<String, Object> run = new LinkedHashMap<>(status.head());
      run.put("status", failure == null ? "succeeded" : "failed");
      if (failure != null) {
        run.put("failure", failure);
      }
      run.put("waves", status.waves());
      run.put("master", summary.master());
      run.put("settings", settings);
      run.put("conf", summary.settings());
      Map<String, Object> totals = new LinkedHashMap<>();
      totals.put("input_frames", summary.inputFrames());
      totals.put("rendered_frames", summary.renderedFrames());
      totals.put("error_frames", summary.errorFrames());
      totals.put("batches", summary.batches().size());
      totals.put("ooms", summary.ooms());
      totals.put("splits", summary.splits());
      run.put("totals", totals);
      Map<String, Object> timings = new LinkedHashMap<>();
      timings.put("render_job_seconds", summary.renderWallNanos() / 1e9);
      timings.put("total_seconds", summary.totalWallNanos() / 1e9);
      timings.put("job_frames_per_second", summary.framesPerSecond());
      timings.put("render_only_frames_per_second_per_task", summary.renderOnlyFramesPerSecond());
      timings.put("peak_rss_bytes", summary.peakRssBytes());
      timings.put("decode_seconds", sum(summary.batches(), BatchMetrics::decodeNanos) / 1e9);
      timings.put("render_seconds", sum(summary.batches(), BatchMetrics::renderNanos) / 1e9);
      timings.put("encode_seconds", sum(summary.batches(), BatchMetrics::encodeNanos) / 1e9);
      timings.put("report_seconds", reportNanos / 1e9);
      run.put("timings", timings);
      run.put("phases", phases.ordered());
      run.put("calibration", calibration(summary.batches()));
      // run.json last: its status is the run's word on everything written before it.
      out.writeAtomically("report.html", report.getBytes(StandardCharsets.UTF_8));
      out.writeAtomically("metrics.json", JSON.writeValueAsBytes(summary.batches()));
      out.writeAtomically(RunStatus.FILE, JSON.writeValueAsBytes(run));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * How each task's plans were calibrated: plans measured in this run (and what that cost), plans
   * taken from the calibration cache or from an earlier task of the executor, fixed batches.
   */
  private static Map<String, Object> calibration(List<BatchMetrics> batches) {
    Map<String, BatchMetrics> plans = new LinkedHashMap<>();
    for (BatchMetrics b : batches) {
      plans.putIfAbsent(
          b.executor()
              + "/"
              + b.partition()
              + "/"
              + b.attempt()
              + "/"
              + b.frameWidth()
              + "x"
              + b.frameHeight(),
          b);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    for (String source : List.of("measured", "cached", "none")) {
      result.put(
          source + "_plans",
          plans.values().stream().filter(b -> b.calibrationSource().equals(source)).count());
    }
    result.put(
        "measuring_seconds",
        sum(List.copyOf(plans.values()), BatchMetrics::calibrationNanos) / 1e9);
    return result;
  }

  private static long sum(
      List<BatchMetrics> batches, java.util.function.ToLongFunction<BatchMetrics> f) {
    return batches.stream().mapToLong(f).sum();
  }
}
