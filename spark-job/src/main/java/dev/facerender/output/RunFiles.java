package dev.facerender.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facerender.config.FacerenderConf;
import dev.facerender.config.FaultConf;
import dev.facerender.job.MetricsDigest;
import dev.facerender.job.Phases;
import dev.facerender.job.RunSummary;
import dev.facerender.partition.task.RenderSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a finished run's report.html, metrics.json (for readers without Parquet) and, last,
 * run.json, each atomically. The report and metrics.json are best effort ({@link AfterCommit}):
 * run.json says under {@code report} and {@code metrics_json} whether each was written, or why not.
 */
public final class RunFiles {
  /**
   * Steps of {@link AfterCommit} the run's check takes, by the names their failures are kept under.
   */
  public static final String DIGEST = "the metrics digest";

  public static final String ERRORS = "the sample of rejected rows";

  /** What writes report.html's text for a run: the report package, passed in by the run. */
  @FunctionalInterface
  public interface Report {
    String render(RunSummary summary) throws Exception;
  }

  static final String REPORT = "report.html";
  static final String METRICS = "metrics.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RunFiles() {}

  /**
   * {@code failure} is null for a run that passed its checks, else why it failed. Returns why
   * report.html was not written, or null when it was.
   */
  public static String write(
      RunSummary summary,
      RenderSettings settings,
      OutputFolder out,
      Report report,
      String failure,
      RunStatus status,
      Phases phases,
      AfterCommit after) {
    boolean injected = FacerenderConf.get(FaultConf.INJECT_REPORT_FAILURE, summary.settings());
    long reportStart = System.nanoTime();
    after.attempt(
        REPORT,
        () -> {
          if (injected) {
            throw injectedFailure();
          }
          String html = report.render(summary);
          out.writeAtomically(REPORT, html.getBytes(StandardCharsets.UTF_8));
          return true;
        },
        reason -> {
          // A report.html left by an earlier run in the folder would be taken for this run's.
          AfterCommit.tidy("removing an earlier " + REPORT, () -> out.delete(REPORT));
          return false;
        });
    long reportNanos = System.nanoTime() - reportStart;
    phases.end("report");
    MetricsDigest digest = summary.metrics();
    boolean metricsWritten =
        digest.available()
            && after.attempt(
                METRICS,
                () -> {
                  out.writeAtomically(METRICS, metricsJson(digest));
                  return true;
                },
                reason -> false);
    if (!metricsWritten) {
      AfterCommit.tidy("removing an earlier " + METRICS, () -> out.delete(METRICS));
    }
    Map<String, Object> run = new LinkedHashMap<>(status.head());
    run.put("status", failure == null ? "succeeded" : "failed");
    if (failure != null) {
      run.put("failure", failure);
    }
    run.put("report", outcome(after, REPORT));
    run.put("metrics_json", outcome(after, METRICS));
    run.put("waves", status.waves());
    run.put("master", summary.master());
    run.put("settings", settings);
    run.put("conf", summary.settings());
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("input_frames", summary.inputFrames());
    totals.put("rendered_frames", summary.renderedFrames());
    totals.put("error_frames", summary.errorFrames());
    // Figures of the digest are null, not 0, when it could not be computed.
    totals.put("batches", digest.available() ? summary.batchCount() : null);
    totals.put("error_rows_by_code_this_attempt", summary.errorCodes());
    totals.put("ooms", digest.available() ? summary.ooms() : null);
    totals.put("splits", digest.available() ? summary.splits() : null);
    run.put("totals", totals);
    Map<String, Object> timings = new LinkedHashMap<>();
    timings.put("render_job_seconds", summary.renderWallNanos() / 1e9);
    timings.put("total_seconds", summary.totalWallNanos() / 1e9);
    timings.put("job_frames_per_second", summary.framesPerSecond());
    timings.put(
        "render_only_frames_per_second_per_task",
        digest.available() ? summary.renderOnlyFramesPerSecond() : null);
    timings.put("peak_rss_bytes", summary.peakRssBytes());
    for (String stage : new String[] {"decode", "render", "encode"}) {
      timings.put(
          stage + "_seconds", digest.available() ? digest.total(stage + "_nanos") / 1e9 : null);
    }
    timings.put("report_seconds", reportNanos / 1e9);
    run.put("timings", timings);
    run.put("phases", phases.ordered());
    run.put("calibration", digest.available() ? digest.calibration() : null);
    // run.json last: its status is the run's word on everything written before it.
    try {
      out.writeAtomically(RunStatus.FILE, JSON.writeValueAsBytes(run));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return after.failure(REPORT);
  }

  /** metrics.json's bytes for {@code digest}: what either engine writes for the same tables. */
  public static byte[] metricsJson(MetricsDigest digest) throws IOException {
    return JSON.writeValueAsBytes(digest);
  }

  /**
   * run.json's word on a best-effort file: written, or failed with the reason; a report written
   * without the digest or the rejected rows says so under {@code problems}.
   */
  private static Map<String, Object> outcome(AfterCommit after, String file) {
    Map<String, Object> outcome = new LinkedHashMap<>();
    String digestFailure = after.failure(DIGEST);
    String failure = after.failure(file);
    if (failure == null && file.equals(METRICS) && digestFailure != null) {
      failure = DIGEST + " failed: " + digestFailure;
    }
    if (failure != null) {
      outcome.put("status", "failed");
      outcome.put("reason", failure);
      return outcome;
    }
    outcome.put("status", "written");
    outcome.put("file", file);
    if (file.equals(REPORT)) {
      Map<String, String> problems = new LinkedHashMap<>();
      for (String step : new String[] {DIGEST, ERRORS}) {
        if (after.failure(step) != null) {
          problems.put(step, after.failure(step));
        }
      }
      if (!problems.isEmpty()) {
        outcome.put("problems", problems);
      }
    }
    return outcome;
  }

  /** What the report throws under --inject-report-failure: the JDK's font failure, as it comes. */
  private static Error injectedFailure() {
    return new InternalError(
        new InvocationTargetException(
            new Error(
                "Injected report failure (--inject-report-failure): the report fails as the"
                    + " JDK's font manager does on a machine without fonts")));
  }
}
