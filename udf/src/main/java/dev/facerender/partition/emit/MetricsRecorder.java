package dev.facerender.partition.emit;

import dev.facerender.metrics.BatchMetrics;
import dev.facerender.partition.plan.BatchPlanner;
import dev.facerender.partition.plan.CutBatch;
import dev.facerender.partition.plan.SizePlan;
import dev.facerender.partition.render.RetryingRender;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.partition.task.TaskInfo;

/** Turns a finished batch into its metrics row: the plan it was cut under and what it cost. */
public final class MetricsRecorder {
  private final RenderSettings settings;
  private final TaskInfo task;
  private final String deviceId;
  private long batchSeq;

  public MetricsRecorder(RenderSettings settings, TaskInfo task, String deviceId) {
    this.settings = settings;
    this.task = task;
    this.deviceId = deviceId;
  }

  /**
   * The row for {@code batch}: {@code frames} of its frames were written; {@code peakBytes} is the
   * largest peak of its pieces (-1 unknown).
   */
  BatchMetrics record(
      CutBatch batch,
      RetryingRender.Rendered rendered,
      int frames,
      long renderNanos,
      long encodeNanos,
      long peakBytes) {
    SizePlan plan = batch.plan();
    BatchPlanner.Planned planned = plan.planned();
    long work = batch.decodeNanos() + rendered.wallNanos() + encodeNanos;
    return new BatchMetrics(
        settings.runId(),
        "render",
        task.executor(),
        task.host(),
        task.partition(),
        task.attempt(),
        batchSeq++,
        deviceId,
        settings.sizing().level().id(),
        plan.width(),
        plan.height(),
        planned.plan().batch(),
        rendered.ceilingAtStart(),
        rendered.firstTry(),
        frames,
        batch.size() - frames,
        rendered.ooms(),
        rendered.splits(),
        planned.freeBytes(),
        planned.totalBytes(),
        peakBytes,
        planned.calibration() == null ? -1 : planned.calibration().perFrameBytes(),
        planned.calibration() == null ? -1 : planned.calibration().fixedBytes(),
        planned.calibrationSource(),
        planned.calibrationNanos(),
        batch.decodeNanos(),
        renderNanos,
        encodeNanos,
        batch.startMillis(),
        System.currentTimeMillis(),
        frames * 1e9 / Math.max(1, work));
  }
}
