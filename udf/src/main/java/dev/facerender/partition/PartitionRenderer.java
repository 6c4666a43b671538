package dev.facerender.partition;

import dev.facerender.model.FrameEnhancer;
import dev.facerender.model.FrameModel;
import dev.facerender.partition.emit.EncoderPool;
import dev.facerender.partition.emit.FrameEncoder;
import dev.facerender.partition.emit.MetricsRecorder;
import dev.facerender.partition.emit.RenderedRows;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.input.ClipRows;
import dev.facerender.partition.input.CoefficientWindow;
import dev.facerender.partition.input.RowValidator;
import dev.facerender.partition.plan.BatchAssembler;
import dev.facerender.partition.plan.BatchPlanner;
import dev.facerender.partition.plan.CutBatch;
import dev.facerender.partition.render.BatchRenderer;
import dev.facerender.partition.render.RenderPipeline;
import dev.facerender.partition.render.RetryingRender;
import dev.facerender.partition.sink.TaskSinks;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.partition.task.TaskInfo;
import dev.facerender.partition.video.ClipVideos;
import dev.facerender.runtime.CoreShare;
import dev.facerender.runtime.DeviceState;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;

/**
 * Streams one partition (sorted by clip, source first, then frame index) through the executor's
 * parts: {@link ClipRows} checks rows ({@link RowValidator}) and holds each clip's decoded source,
 * {@link CoefficientWindow} builds windows, {@link BatchAssembler} cuts batches per frame size,
 * {@link RenderPipeline} renders them ({@link RetryingRender}), {@link RenderedRows} encodes and
 * records them; {@link ClipVideos} (when the run makes videos) streams each clip's frames into its
 * MP4. Rejected rows and metrics go to the sinks; frame rows leave in input order. Holds at most
 * the pipeline's batches, one pending batch and one window.
 *
 * <p>Ownership: {@link ClipRows} holds the current clip's first reference; {@link #close} takes it
 * and hands it, with the device lease, to the pipeline's {@code afterLast}, so they are freed only
 * once no batch can touch them.
 */
final class PartitionRenderer implements Iterator<Row> {
  private static final long CLOSE_WAIT_MILLIS = TimeUnit.MINUTES.toMillis(1);

  private final Iterator<Row> input;
  private final RenderSettings settings;
  private final ClipRows clips;
  private final CoefficientWindow window;
  private final BatchPlanner planner;
  private final BatchAssembler assembler;
  private final RenderPipeline<CutBatch, RetryingRender.Rendered> pipeline;
  private final RenderedRows rows;
  private final ClipVideos videos;
  private final ArrayDeque<Row> ready = new ArrayDeque<>();

  /** Its stream is the task's: closed by the render stage's last action. */
  private final BatchRenderer renderer;

  /** This task's place among the JVM's live tasks, released with its other resources. */
  private final CoreShare.Lease coreLease;

  private boolean inputDone;
  private boolean finished;

  /**
   * With {@code faults} met by every batch (not by calibration runs), {@code jobFrames} the frames
   * of the whole job (-1 unknown) calibration must be repaid from, {@code videos} (null when the
   * run makes none), which this renderer closes, and {@code encoderPool} sharing each batch's
   * encoding (null: none).
   */
  PartitionRenderer(
      Iterator<Row> input,
      RenderSettings settings,
      TaskSinks sinks,
      TaskInfo task,
      DeviceState deviceState,
      FrameModel model,
      FrameEnhancer enhancer,
      BatchFaults faults,
      long jobFrames,
      ClipVideos videos,
      EncoderPool encoderPool) {
    this.input = input;
    this.settings = settings;
    this.window = new CoefficientWindow(settings.network().windowRadius());
    this.clips =
        new ClipRows(
            new RowValidator(settings, model.takesSourceCoeffs(), model.spec()),
            window,
            sinks,
            videos);
    BatchRenderer renderer = new BatchRenderer(model, enhancer, deviceState, settings, faults);
    this.renderer = renderer;
    this.planner =
        new BatchPlanner(
            settings,
            deviceState,
            task.taskAttemptId(),
            Runtime.getRuntime().maxMemory(),
            jobFrames);
    // Counted once planned: planning may wait for another task's whole batch (it plans with the
    // device at rest), and a waiting task would halve that batch's threads for nothing.
    CoreShare.Lease lease = deviceState.cores().pending();
    this.coreLease = lease;
    this.assembler =
        new BatchAssembler(
            samples -> {
              BatchPlanner.Planned planned = planner.plan(renderer, samples);
              lease.count();
              return planned;
            },
            settings.sizing().growAfter());
    RetryingRender retrying =
        new RetryingRender(renderer::render, deviceState.device(), settings.runId());
    this.pipeline =
        new RenderPipeline<>(
            settings.sizing().pipelineDepth(),
            "facerender-render-" + task.partition(),
            batch -> retrying.run(batch.frames(), batch.plan().ceiling()),
            CutBatch::release,
            CLOSE_WAIT_MILLIS);
    this.rows =
        new RenderedRows(
            settings,
            sinks,
            task,
            FrameEncoder.of(settings, encoderPool),
            new MetricsRecorder(settings, task, deviceState.device().id()),
            videos);
    this.videos = videos;
  }

  /**
   * Pulls input until a finished batch can be emitted: finished batches first (so rows flow out
   * while the render stage works on the next one), then more input, then the tail.
   */
  @Override
  public boolean hasNext() {
    while (ready.isEmpty() && !finished) {
      if (pipeline.oldestDone()) {
        collect(pipeline.takeOldest());
      } else if (!inputDone && input.hasNext()) {
        clips.accept(input.next(), this::enqueue);
      } else if (!inputDone) {
        inputDone = true;
        window.finish(this::enqueue);
        assembler.cut(this::submit);
      } else if (pipeline.inFlight() > 0) {
        collect(pipeline.takeOldest());
      } else {
        if (videos != null) {
          videos.finish();
        }
        close();
      }
    }
    return !ready.isEmpty();
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.poll();
  }

  /**
   * Stops the task's work and frees what it holds, as {@link RenderPipeline}'s contract says:
   * frames not yet in a batch are dropped, queued batches released, and the current clip and the
   * device lease freed once no batch runs. Idempotent; also called when the task fails or is
   * killed.
   */
  void close() {
    if (finished) {
      return;
    }
    finished = true;
    if (videos != null) {
      videos.close();
    }
    window.clear();
    assembler.close();
    ClipSource owned = clips.takeClip();
    pipeline.close(
        () -> {
          if (owned != null) {
            owned.release();
          }
          planner.release();
          renderer.close();
          coreLease.close();
        });
  }

  /** Whether the render stage is gone (closed, and no batch running), for tests. */
  boolean isTerminated() {
    return pipeline.isTerminated();
  }

  private void enqueue(PendingFrame frame) {
    assembler.add(frame, this::submit);
  }

  /** Hands a cut batch to the render stage; waits only when more than the depth are in flight. */
  private void submit(CutBatch batch) {
    batch.chargeDecode(clips.takeDecodeNanos());
    pipeline.submit(batch);
    while (pipeline.inFlight() > settings.sizing().pipelineDepth()) {
      collect(pipeline.takeOldest());
    }
  }

  private void collect(RenderPipeline.Done<CutBatch, RetryingRender.Rendered> done) {
    rows.collect(done.item(), done.result(), ready::add);
  }
}
