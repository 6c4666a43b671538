package dev.facerender.partition;

import dev.facerender.device.Device;
import dev.facerender.metrics.FrameError;
import dev.facerender.metrics.SampledFrame;
import dev.facerender.model.FrameEnhancer;
import dev.facerender.model.FrameModel;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Streams one partition (sorted by clip, source first, then frame index) through the executor's
 * parts: {@link RowValidator} checks rows, {@link ClipSource} holds each clip's decoded source,
 * {@link CoefficientWindow} builds windows, {@link BatchAssembler} cuts batches per frame size,
 * {@link RenderPipeline} renders them ({@link RetryingRender}), {@link FrameEncoder} encodes and
 * {@link MetricsRecorder} records; {@link ClipVideos} (when the run makes videos) streams each
 * clip's frames into its MP4. Rejected rows and metrics go to the sinks; frame rows leave in input
 * order. Holds at most the pipeline's batches, one pending batch and one window.
 *
 * <p>Ownership: this class holds the current clip's first reference and drops it when the next clip
 * starts (after its window is flushed into the assembler, which retains it for its batches). {@link
 * #close} hands the current clip and the device lease to the pipeline's {@code afterLast}, so they
 * are freed only once no batch can touch them.
 */
final class PartitionRenderer implements Iterator<Row> {
  private static final long CLOSE_WAIT_MILLIS = TimeUnit.MINUTES.toMillis(1);

  private final Iterator<Row> input;
  private final RenderSettings settings;
  private final TaskSinks sinks;
  private final TaskInfo task;
  private final RowValidator validator;
  private final CoefficientWindow window;
  private final BatchPlanner planner;
  private final BatchAssembler assembler;
  private final RenderPipeline<CutBatch, RetryingRender.Rendered> pipeline;
  private final FrameEncoder encoder;
  private final MetricsRecorder metrics;
  private final ClipVideos videos;
  private final ArrayDeque<Row> ready = new ArrayDeque<>();

  private String clipId;
  private ClipSource clipSource;
  private FrameError clipError;
  private String lastFrameClip;
  private int lastFrameIndex;
  private long decodeNanos;
  private boolean inputDone;
  private boolean finished;

  /**
   * With {@code faults} met by every batch (not by calibration runs), {@code videos} (null when the
   * run makes none), which this renderer closes, and {@code encodeHelpers} sharing each batch's
   * encoding (null: none).
   */
  PartitionRenderer(
      Iterator<Row> input,
      RenderSettings settings,
      TaskSinks sinks,
      TaskInfo task,
      Device device,
      FrameModel model,
      FrameEnhancer enhancer,
      BatchFaults faults,
      ClipVideos videos,
      EncodeHelpers encodeHelpers) {
    this.input = input;
    this.settings = settings;
    this.sinks = sinks;
    this.task = task;
    this.validator = new RowValidator(settings, model.takesSourceCoeffs(), model.spec());
    this.window = new CoefficientWindow(settings.windowRadius());
    BatchRenderer renderer = new BatchRenderer(model, enhancer, device, settings, faults);
    this.planner =
        new BatchPlanner(settings, device, task.taskAttemptId(), Runtime.getRuntime().maxMemory());
    this.assembler =
        new BatchAssembler(sample -> planner.plan(renderer, sample), settings.growAfter());
    RetryingRender retrying = new RetryingRender(renderer::render, device, settings.runId());
    this.pipeline =
        new RenderPipeline<>(
            settings.pipelineDepth(),
            "facerender-render-" + task.partition(),
            retrying::run,
            CutBatch::release,
            CLOSE_WAIT_MILLIS);
    this.encoder = FrameEncoder.of(settings, encodeHelpers);
    this.metrics = new MetricsRecorder(settings, task, device.id());
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
        accept(input.next());
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
    ClipSource owned = clipSource;
    clipSource = null;
    pipeline.close(
        () -> {
          if (owned != null) {
            owned.release();
          }
          planner.release();
        });
  }

  /** Whether the render stage is gone (closed, and no batch running), for tests. */
  boolean isTerminated() {
    return pipeline.isTerminated();
  }

  private void accept(Row row) {
    if (RowValidator.isSource(row)) {
      startClip(row);
      return;
    }
    RowValidator.Checked checked =
        validator.frame(
            row,
            new RowValidator.Position(
                clipId, clipSource, clipError, lastFrameClip, lastFrameIndex));
    if (checked.error() != null) {
      sinks.error(checked.error());
      sinks.progress(1);
      return;
    }
    PendingFrame frame = checked.frame();
    lastFrameClip = frame.clipId();
    lastFrameIndex = frame.frameIndex();
    window.add(frame, this::enqueue);
  }

  private void startClip(Row row) {
    FrameError noClip = validator.sourceWithoutClip(row);
    if (noClip != null) {
      sinks.error(noClip);
      return;
    }
    // The previous clip's frames all reach the assembler before its reference goes.
    window.finish(this::enqueue);
    retire();
    String clip = RowValidator.clipId(row);
    if (clip.equals(clipId)) {
      clipError = validator.duplicateSource(clip);
      return;
    }
    clipId = clip;
    long start = System.nanoTime();
    RowValidator.Source source = validator.source(row);
    decodeNanos += System.nanoTime() - start;
    clipSource = source.source();
    clipError = source.error();
    if (videos != null && clipError == null) {
      clipError = videos.startClip(row, clip, clipSource);
    }
  }

  private void retire() {
    if (clipSource != null) {
      clipSource.release();
      clipSource = null;
    }
  }

  private void enqueue(PendingFrame frame) {
    assembler.add(frame, this::submit);
  }

  /** Hands a cut batch to the render stage; waits only when more than the depth are in flight. */
  private void submit(CutBatch batch) {
    batch.chargeDecode(decodeNanos);
    decodeNanos = 0;
    pipeline.submit(batch);
    while (pipeline.inFlight() > settings.pipelineDepth()) {
      collect(pipeline.takeOldest());
    }
  }

  /** On the task thread: encodes a rendered batch, emits its rows, errors and metrics. */
  private void collect(RenderPipeline.Done<CutBatch, RetryingRender.Rendered> done) {
    CutBatch batch = done.item();
    RetryingRender.Rendered rendered = done.result();
    rendered.errors().forEach(sinks::error);
    long encodeStart = System.nanoTime();
    long renderNanos = 0;
    long peak = -1;
    int frames = 0;
    for (RenderedBatch piece : rendered.pieces()) {
      piece.errors().forEach(sinks::error);
      renderNanos += piece.renderNanos();
      peak = Math.max(peak, piece.peakBytes());
      java.util.List<byte[]> encoded = encoder.encode(piece.frames(), piece.pixels());
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
        if (image == null) {
          // A video-only run keeps no frame rows, so no sample either.
          continue;
        }
        if (sinks.wantsSample(frame.clipId(), frame.frameIndex())) {
          sinks.sample(
              new SampledFrame(
                  frame.clipId(),
                  frame.frameIndex(),
                  frame.source().width(),
                  frame.source().height(),
                  settings.format().id(),
                  image));
        }
        ready.add(
            RowFactory.create(
                frame.clipId(),
                frame.frameIndex(),
                frame.source().width(),
                frame.source().height(),
                settings.format().id(),
                image,
                settings.runId()));
      }
    }
    long encodeNanos = System.nanoTime() - encodeStart;
    sinks.progress(batch.size());
    sinks.metrics(metrics.record(batch, rendered, frames, renderNanos, encodeNanos, peak));
    if (settings.injectTaskFailure() && task.attempt() == 0) {
      throw new IllegalStateException(
          "Injected task failure after batch 1 of partition " + task.partition() + ", attempt 0");
    }
  }
}
