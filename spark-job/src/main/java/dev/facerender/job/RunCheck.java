package dev.facerender.job;

import static org.apache.spark.sql.functions.col;

import dev.facerender.config.OutputFormat;
import dev.facerender.io.Schemas;
import dev.facerender.io.TableRows;
import dev.facerender.metrics.FrameError;
import dev.facerender.metrics.SampledFrame;
import dev.facerender.partition.RenderSettings;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * The end of a run: reads back what its tables hold, decides whether it succeeded (every input
 * frame exactly once, error rate within bounds), writes the run files and, on success only, the
 * {@code _SUCCESS} markers. What only describes the run (digest, report, metrics.json) is best
 * effort and never changes that decision.
 */
final class RunCheck {
  /** Error rows the report shows; errors/ has them all. */
  static final int ERROR_SAMPLE = 1000;

  /** Steps of {@link AfterCommit} here, by the names their failures are logged and kept under. */
  static final String DIGEST = "the metrics digest";

  static final String ERRORS = "the sample of rejected rows";

  private RunCheck() {}

  static RunSummary finish(
      SparkSession spark,
      OutputFolder out,
      OutputLock lock,
      RunStatus status,
      RenderSettings settings,
      Map<String, String> conf,
      long inputFrames,
      long renderWall,
      long started,
      long peakRss,
      Map<String, Long> errorCodes,
      List<SampledFrame> samples,
      Phases phases) {
    String runId = status.runId();
    boolean video = settings.hasVideo();
    CommittedCounts counts =
        CommittedCounts.read(
            spark,
            out.child("frames"),
            out.child("errors"),
            video ? out.child(VideoRun.MANIFEST) : null,
            runId);
    String metrics = out.child("metrics");
    // Read after the checks, best effort: they describe the run and cannot change its outcome.
    Supplier<MetricsDigest> batches =
        () ->
            MetricsDigest.of(
                spark
                    .read()
                    .schema(Schemas.METRICS)
                    .parquet(metrics)
                    .where(col("run_id").equalTo(runId)),
                metrics);
    Supplier<List<FrameError>> errors =
        () ->
            spark
                .read()
                .schema(Schemas.ERRORS)
                .parquet(out.child("errors"))
                .where(col("run_id").equalTo(runId))
                .orderBy(col("clip_id").asc_nulls_first(), col("frame_index").asc_nulls_first())
                .limit(ERROR_SAMPLE)
                .collectAsList()
                .stream()
                .map(TableRows::error)
                .toList();
    return conclude(
        new ReadBack(
            counts,
            batches,
            errors,
            () -> video ? VideoRun.checkCommitted(spark, out, runId) : null),
        spark.sparkContext().master(),
        spark,
        out,
        lock,
        status,
        settings,
        conf,
        inputFrames,
        renderWall,
        started,
        peakRss,
        errorCodes,
        samples,
        phases);
  }

  /**
   * What a run's tables hold, read back after its last commit; the videos are checked only once the
   * counts pass. The digest of the batches and the sample of rejected rows (at most {@link
   * #ERROR_SAMPLE}) are read after the checks, best effort ({@link AfterCommit}).
   */
  record ReadBack(
      CommittedCounts counts,
      Supplier<MetricsDigest> batches,
      Supplier<List<FrameError>> errors,
      Supplier<String> videoFailure) {}

  /**
   * Decides from {@code read} whether the run succeeded, writes the run files and, on success, the
   * markers; throws {@link RunFailedException} when it failed. {@code spark} (null for the local
   * engine) reads a video run's manifest for the report.
   */
  static RunSummary conclude(
      ReadBack read,
      String master,
      SparkSession spark,
      OutputFolder out,
      OutputLock lock,
      RunStatus status,
      RenderSettings settings,
      Map<String, String> conf,
      long inputFrames,
      long renderWall,
      long started,
      long peakRss,
      Map<String, Long> errorCodes,
      List<SampledFrame> samples,
      Phases phases) {
    String runId = status.runId();
    boolean framesKept = !settings.hasVideo() || settings.format() != OutputFormat.NONE;
    CommittedCounts counts = read.counts();
    String failure = counts.problem(inputFrames, out.toString(), framesKept);
    if (failure == null) {
      failure = read.videoFailure().get();
    }
    AfterCommit after = new AfterCommit();
    MetricsDigest digest =
        after.attempt(
            DIGEST,
            read.batches()::get,
            reason -> MetricsDigest.unavailable(out.child("metrics"), reason));
    List<FrameError> errors = after.attempt(ERRORS, read.errors()::get, reason -> List.of());
    RunSummary summary =
        new RunSummary(
            runId,
            out.toString(),
            master,
            conf,
            inputFrames,
            counts.accepted(framesKept),
            counts.errorFrames(),
            renderWall,
            System.nanoTime() - started,
            peakRss,
            digest,
            errorCodes,
            errors,
            samples,
            status.device(),
            status.deviceReason(),
            null);
    if (failure != null) {
      failure = "Exactly-once check failed: " + failure + ". The output is not trustworthy.";
    }
    double errorRate = inputFrames == 0 ? 0 : counts.errorFrames() / (double) inputFrames;
    if (failure == null && errorRate > settings.maxErrorRate()) {
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
              100 * settings.maxErrorRate(),
              first,
              out.child("errors"));
    }
    lock.check();
    phases.end("check_tables");
    String reportFailure =
        RunFiles.write(summary, settings, out, spark, failure, status, phases, after);
    if (failure != null) {
      throw new RunFailedException(
          failure + " The run failed: no _SUCCESS marker was written; run.json has the details.");
    }
    RenderJob.markSuccess(out, runId);
    return summary.withReportFailure(reportFailure);
  }
}
