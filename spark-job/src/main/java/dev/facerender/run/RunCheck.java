package dev.facerender.run;

import dev.facerender.config.OutputFormat;
import dev.facerender.job.MetricsDigest;
import dev.facerender.job.Phases;
import dev.facerender.job.RunFailedException;
import dev.facerender.job.RunSummary;
import dev.facerender.metrics.FrameError;
import dev.facerender.output.AfterCommit;
import dev.facerender.output.CommittedCounts;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.OutputLock;
import dev.facerender.output.RunFiles;
import dev.facerender.output.RunStatus;
import dev.facerender.output.SuccessMarkers;
import dev.facerender.output.VideoRun;
import dev.facerender.output.query.RunTables;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.report.HtmlReport;
import dev.facerender.schedule.Scheduler;
import dev.facerender.schedule.WaveTasks;
import java.util.List;
import java.util.Map;

/**
 * The end of a run: reads back what its tables hold, decides whether it succeeded (every input
 * frame exactly once, error rate within bounds), writes the run files and, on success only, the
 * {@code _SUCCESS} markers. What only describes the run (digest, report, metrics.json) is best
 * effort and never changes that decision.
 */
public final class RunCheck {
  /** Error rows the report shows; errors/ has them all. */
  static final int ERROR_SAMPLE = 1000;

  private RunCheck() {}

  /** A run's size and times: input frames, render and start nanos, peak resident bytes. */
  record Totals(long inputFrames, long renderWall, long started, long peakRss) {}

  /**
   * Reads back what the run's tables hold ({@code scheduler}'s {@link RunTables}), decides whether
   * it succeeded, writes the run files and, on success, the markers; throws {@link
   * RunFailedException} when it failed. The videos are checked only once the counts pass; the
   * digest and the sample of rejected rows (at most {@link #ERROR_SAMPLE}) are read after the
   * checks, best effort ({@link AfterCommit}).
   */
  static RunSummary finish(
      Scheduler<?> scheduler,
      OutputFolder out,
      OutputLock lock,
      RunStatus status,
      RenderSettings settings,
      Map<String, String> conf,
      Totals totals,
      WaveTasks tasks,
      Phases phases) {
    RunTables tables = new RunTables(scheduler.tables());
    String runId = status.runId();
    boolean video = settings.output().hasVideo();
    boolean framesKept = !video || settings.output().format() != OutputFormat.NONE;
    long inputFrames = totals.inputFrames();
    CommittedCounts counts =
        tables.counts(
            out.child("frames"),
            out.child("errors"),
            video ? out.child(VideoRun.MANIFEST) : null,
            runId);
    String failure = counts.problem(inputFrames, out.toString(), framesKept);
    if (failure == null && video) {
      failure = tables.videoFailure(out, runId);
    }
    // Read after the checks, best effort: they describe the run and cannot change its outcome.
    AfterCommit after = new AfterCommit();
    String metrics = out.child("metrics");
    MetricsDigest digest =
        after.attempt(
            RunFiles.DIGEST,
            () -> tables.digest(metrics, runId),
            reason -> MetricsDigest.unavailable(metrics, reason));
    List<FrameError> errors =
        after.attempt(
            RunFiles.ERRORS,
            () -> tables.errorSample(out.child("errors"), runId, ERROR_SAMPLE),
            reason -> List.of());
    RunSummary summary =
        new RunSummary(
            runId,
            out.toString(),
            scheduler.master(),
            conf,
            inputFrames,
            counts.accepted(framesKept),
            counts.errorFrames(),
            totals.renderWall(),
            System.nanoTime() - totals.started(),
            totals.peakRss(),
            digest,
            tasks.errorCodes(),
            errors,
            tasks.samples(),
            status.device(),
            status.deviceReason(),
            null);
    if (failure != null) {
      failure = "Exactly-once check failed: " + failure + ". The output is not trustworthy.";
    }
    double errorRate = inputFrames == 0 ? 0 : counts.errorFrames() / (double) inputFrames;
    if (failure == null && errorRate > settings.input().maxErrorRate()) {
      String first =
          errors.stream()
              .filter(FrameError::isFrame)
              .findFirst()
              .map(e -> " first: " + e.code() + " " + e.message() + ".")
              .orElse("");
      failure =
          String.format(
              "%d of %d input frames (%.2f%%) were rejected, above --max-error-rate %.2f%%;%s"
                  + " See %s",
              counts.errorFrames(),
              inputFrames,
              100 * errorRate,
              100 * settings.input().maxErrorRate(),
              first,
              out.child("errors"));
    }
    lock.check();
    phases.end("check_tables");
    String reportFailure =
        RunFiles.write(
            summary,
            settings,
            out,
            s -> HtmlReport.render(s, scheduler.hadoop()),
            failure,
            status,
            phases,
            after);
    if (failure != null) {
      throw new RunFailedException(
          failure + " The run failed: no _SUCCESS marker was written; run.json has the details.");
    }
    SuccessMarkers.write(out, runId);
    return summary.withReportFailure(reportFailure);
  }
}
