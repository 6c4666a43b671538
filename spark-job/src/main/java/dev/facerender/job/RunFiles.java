package dev.facerender.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facerender.partition.RenderSettings;
import dev.facerender.report.HtmlReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
      String report = HtmlReport.render(summary, spark);
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
      totals.put("batches", summary.batchCount());
      totals.put("error_rows_by_code_this_attempt", summary.errorCodes());
      totals.put("ooms", summary.ooms());
      totals.put("splits", summary.splits());
      run.put("totals", totals);
      Map<String, Object> timings = new LinkedHashMap<>();
      timings.put("render_job_seconds", summary.renderWallNanos() / 1e9);
      timings.put("total_seconds", summary.totalWallNanos() / 1e9);
      timings.put("job_frames_per_second", summary.framesPerSecond());
      timings.put("render_only_frames_per_second_per_task", summary.renderOnlyFramesPerSecond());
      timings.put("peak_rss_bytes", summary.peakRssBytes());
      timings.put("decode_seconds", summary.metrics().total("decode_nanos") / 1e9);
      timings.put("render_seconds", summary.metrics().total("render_nanos") / 1e9);
      timings.put("encode_seconds", summary.metrics().total("encode_nanos") / 1e9);
      timings.put("report_seconds", reportNanos / 1e9);
      run.put("timings", timings);
      run.put("phases", phases.ordered());
      run.put("calibration", summary.metrics().calibration());
      // run.json last: its status is the run's word on everything written before it.
      out.writeAtomically("report.html", report.getBytes(StandardCharsets.UTF_8));
      out.writeAtomically("metrics.json", JSON.writeValueAsBytes(summary.metrics()));
      out.writeAtomically(RunStatus.FILE, JSON.writeValueAsBytes(run));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
