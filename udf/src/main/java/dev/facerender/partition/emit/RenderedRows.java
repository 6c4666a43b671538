package dev.facerender.partition.emit;

import dev.facerender.metrics.SampledFrame;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.plan.CutBatch;
import dev.facerender.partition.render.RenderedBatch;
import dev.facerender.partition.render.RetryingRender;
import dev.facerender.partition.sink.TaskSinks;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.partition.task.TaskInfo;
import dev.facerender.partition.video.ClipVideos;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * On the task thread, turns one rendered batch into what leaves the task: its frames encoded into
 * rows (in batch order), the report's sampled frames, each frame's pixels to the clip's video, the
 * batch's rejected frames and its metrics. Holds nothing between batches: the pixels are the
 * rendered batch's, which the render stage owns.
 */
public final class RenderedRows {
  private final RenderSettings settings;
  private final TaskSinks sinks;
  private final TaskInfo task;
  private final FrameEncoder encoder;
  private final MetricsRecorder metrics;
  private final ClipVideos videos;

  /** With {@code videos} null when the run makes none. */
  public RenderedRows(
      RenderSettings settings,
      TaskSinks sinks,
      TaskInfo task,
      FrameEncoder encoder,
      MetricsRecorder metrics,
      ClipVideos videos) {
    this.settings = settings;
    this.sinks = sinks;
    this.task = task;
    this.encoder = encoder;
    this.metrics = metrics;
    this.videos = videos;
  }

  /**
   * Encodes {@code rendered} (the render of {@code batch}) and gives its frame rows to {@code out}.
   */
  public void collect(CutBatch batch, RetryingRender.Rendered rendered, Consumer<Row> out) {
    rendered.errors().forEach(sinks::error);
    long encodeStart = System.nanoTime();
    long renderNanos = 0;
    long peak = -1;
    int frames = 0;
    for (RenderedBatch piece : rendered.pieces()) {
      piece.errors().forEach(sinks::error);
      renderNanos += piece.renderNanos();
      peak = Math.max(peak, piece.peakBytes());
      List<byte[]> encoded = encoder.encode(piece.frames(), piece.pixels());
      for (int i = 0; i < piece.frames().size(); i++) {
        if (piece.pixels().get(i) == null) {
          continue;
        }
        PendingFrame frame = piece.frames().get(i);
        frames++;
        if (videos != null) {
          videos.add(frame, piece.pixels().get(i));
        }
        byte[] image = encoded.get(i);
        if (image != null) {
          // A video-only run keeps no frame rows, so no sample either.
          emit(frame, image, out);
        }
      }
    }
    long encodeNanos = System.nanoTime() - encodeStart;
    sinks.progress(batch.size());
    sinks.metrics(metrics.record(batch, rendered, frames, renderNanos, encodeNanos, peak));
    if (settings.faults().taskFailure() && task.attempt() == 0) {
      throw new IllegalStateException(
          "Injected task failure after batch 1 of partition " + task.partition() + ", attempt 0");
    }
  }

  private void emit(PendingFrame frame, byte[] image, Consumer<Row> out) {
    int width = frame.source().width();
    int height = frame.source().height();
    if (sinks.wantsSample(frame.clipId(), frame.frameIndex())) {
      sinks.sample(
          new SampledFrame(
              frame.clipId(),
              frame.frameIndex(),
              width,
              height,
              settings.output().format().id(),
              image));
    }
    out.accept(
        RowFactory.create(
            frame.clipId(),
            frame.frameIndex(),
            width,
            height,
            settings.output().format().id(),
            image,
            settings.runId()));
  }
}
