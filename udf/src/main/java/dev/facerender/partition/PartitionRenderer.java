package dev.facerender.partition;

import dev.facerender.codec.ImageCodec;
import dev.facerender.codec.ImageDecodeException;
import dev.facerender.device.Device;
import dev.facerender.metrics.BatchMetrics;
import dev.facerender.metrics.FrameError;
import dev.facerender.model.FrameEnhancer;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Torch;
import dev.facerender.retry.AdaptiveCeiling;
import dev.facerender.retry.SplitRetry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Streams one partition (sorted by clip, source first, then frame index): decodes each clip's
 * source once, validates frames, fills batches up to the adaptive ceiling, renders them with
 * split-and-retry and yields frame rows. Rejected rows and per-batch metrics go to the sinks. Never
 * holds more than one batch of frames.
 */
final class PartitionRenderer implements Iterator<Row> {
  private static final String INPUT = "input";
  private static final String DECODE = "decode";
  private static final String RENDER = "render";

  private static final String SOURCE_ROW = FrameError.SOURCE_ROW;

  /** OOMs are often transient under shared load: a lone frame gets this many more tries. */
  private static final int SINGLE_FRAME_RETRIES = 4;

  private final Iterator<Row> input;
  private final RenderSettings settings;
  private final TaskSinks sinks;
  private final TaskInfo task;
  private final Device device;
  private final FrameModel model;
  private final BatchRenderer renderer;
  private final BatchPlanner planner;
  private final SplitRetry<FrameBatch, RenderedBatch> retry;
  private final ArrayDeque<Row> ready = new ArrayDeque<>();
  private List<PendingFrame> pending = new ArrayList<>();

  /** Sources of earlier clips: closed once no pending frame can use them. */
  private final List<ClipSource> retired = new ArrayList<>();

  /** With a window radius: the current clip's valid frames, raw, and how many were released. */
  private final List<PendingFrame> windowFrames = new ArrayList<>();

  private int windowReleased;

  private AdaptiveCeiling ceiling;
  private BatchPlanner.Planned planned;
  private long plannedPixels;
  private String clipId;
  private ClipSource clipSource;
  private FrameError clipError;
  private String lastFrameClip;
  private int lastFrameIndex;
  private long decodeNanos;
  private long batchSeq;
  private boolean inputDone;
  private boolean finished;

  /** Batches handed to the render stage, oldest first; rows leave in this order. */
  private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();

  private final int pipelineDepth;

  /** The render stage's one thread, or null to render on the task thread (depth 0). */
  private final ExecutorService stage;

  PartitionRenderer(
      Iterator<Row> input,
      RenderSettings settings,
      TaskSinks sinks,
      TaskInfo task,
      Device device,
      FrameModel model,
      FrameEnhancer enhancer) {
    this.input = input;
    this.settings = settings;
    this.sinks = sinks;
    this.task = task;
    this.device = device;
    this.model = model;
    OomInjector injector =
        new OomInjector(
            settings.injectOomRate(), settings.injectOomAbove(), settings.seed(), task.partition());
    this.renderer = new BatchRenderer(model, enhancer, device, settings, injector);
    this.planner = new BatchPlanner(settings, device, task.taskAttemptId());
    this.retry =
        new SplitRetry<>(
            renderer::render, this::singleFrameOom, device::emptyCache, SINGLE_FRAME_RETRIES);
    Torch.configureThreads(settings.effectiveTorchThreads());
    this.pipelineDepth = settings.pipelineDepth();
    this.stage =
        pipelineDepth == 0
            ? null
            : Executors.newSingleThreadExecutor(
                work -> {
                  Thread thread = new Thread(work, "facerender-render-" + task.partition());
                  thread.setDaemon(true);
                  return thread;
                });
  }

  /**
   * Pulls input until a finished batch can be emitted: finished batches first (so rows flow out
   * while the render stage works on the next one), then more input, then the tail.
   */
  @Override
  public boolean hasNext() {
    while (ready.isEmpty() && !finished) {
      if (!inFlight.isEmpty() && inFlight.peek().result().isDone()) {
        collect(inFlight.poll());
      } else if (!inputDone && input.hasNext()) {
        accept(input.next());
      } else if (!inputDone) {
        inputDone = true;
        releaseWindow();
        flush();
      } else if (!inFlight.isEmpty()) {
        collect(inFlight.poll());
      } else {
        close();
      }
    }
    return !ready.isEmpty();
  }

  /**
   * Frees what the task holds: the render stage, the clips' model inputs and its device lease.
   * Idempotent; also called when the task fails or is killed.
   */
  void close() {
    if (finished) {
      return;
    }
    finished = true;
    if (stage != null) {
      stage.shutdownNow();
      try {
        // The clips' tensors may be in use by a batch still rendering.
        stage.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    retired.forEach(ClipSource::close);
    retired.clear();
    if (clipSource != null) {
      clipSource.close();
    }
    planner.release();
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.poll();
  }

  private void accept(Row row) {
    String clip = row.isNullAt(FrameRows.CLIP_ID) ? null : row.getString(FrameRows.CLIP_ID);
    if (!windowFrames.isEmpty() && !windowFrames.get(0).clipId().equals(clip)) {
      releaseWindow();
    }
    if (row.getBoolean(FrameRows.IS_SOURCE)) {
      startClip(clip, row);
      return;
    }
    Integer index = row.isNullAt(FrameRows.FRAME_INDEX) ? null : row.getInt(FrameRows.FRAME_INDEX);
    FrameError error = validate(clip, index);
    float[] coeffs = null;
    if (error == null) {
      Coefficients read = readCoefficients(row, clip, index);
      error = read.error();
      coeffs = read.values();
    }
    if (error != null) {
      sinks.error(error);
      sinks.progress(1);
      return;
    }
    lastFrameClip = clip;
    lastFrameIndex = index;
    PendingFrame frame = new PendingFrame(clip, index, coeffs, clipSource);
    if (settings.windowRadius() == 0) {
      enqueue(frame);
      return;
    }
    windowFrames.add(frame);
    // A frame's window is complete once R frames after it are known.
    while (windowReleased + settings.windowRadius() < windowFrames.size()) {
      enqueue(windowed(windowReleased++));
    }
  }

  /** Releases the current clip's remaining frames: its end is known, so its edge is too. */
  private void releaseWindow() {
    while (windowReleased < windowFrames.size()) {
      enqueue(windowed(windowReleased++));
    }
    windowFrames.clear();
    windowReleased = 0;
  }

  /**
   * Frame {@code p} of the clip with the coefficients of its neighbours {@code p-R..p+R} (indices
   * clamped to the clip: edge padding), laid out {@code [C][2R+1]}.
   */
  private PendingFrame windowed(int p) {
    int radius = settings.windowRadius();
    int width = settings.windowWidth();
    PendingFrame frame = windowFrames.get(p);
    int c = frame.coeffs().length;
    float[] window = new float[c * width];
    int last = windowFrames.size() - 1;
    for (int k = 0; k < width; k++) {
      float[] neighbour = windowFrames.get(Math.max(0, Math.min(last, p - radius + k))).coeffs();
      for (int j = 0; j < c; j++) {
        window[j * width + k] = neighbour[j];
      }
    }
    return new PendingFrame(frame.clipId(), frame.frameIndex(), window, frame.source());
  }

  private void enqueue(PendingFrame frame) {
    long pixels = (long) frame.source().width() * frame.source().height();
    if (planned == null || pixels != plannedPixels) {
      flush();
      planFor(frame, pixels);
    }
    pending.add(frame);
    if (pending.size() >= ceiling.ceiling()) {
      flush();
    }
  }

  private void startClip(String clip, Row row) {
    if (clip == null || clip.isBlank()) {
      sinks.error(
          error(
              clip,
              null,
              SOURCE_ROW,
              clip == null ? "SOURCE_MISSING_CLIP_ID" : "SOURCE_BLANK_CLIP_ID",
              "a source row has "
                  + (clip == null ? "no clip_id" : "a blank clip_id")
                  + ", so no frame can use it: give it its clip's id"));
      return;
    }
    if (clip.equals(clipId)) {
      releaseWindow();
      retire();
      clipError =
          error(
              clip,
              null,
              INPUT,
              "DUPLICATE_SOURCE",
              "clip '" + clip + "' has more than one source row: keep exactly one per clip");
      return;
    }
    retire();
    clipId = clip;
    clipError = null;
    long start = System.nanoTime();
    try {
      byte[] image = sourceBytes(clip, row);
      float[] coeffs = sourceCoefficients(clip, row);
      clipSource = new ClipSource(clip, ImageCodec.decode(image), coeffs);
    } catch (ImageDecodeException e) {
      clipError =
          error(clip, null, DECODE, e.code(), "source of clip '" + clip + "': " + e.getMessage());
    }
    decodeNanos += System.nanoTime() - start;
  }

  private void retire() {
    if (clipSource != null) {
      retired.add(clipSource);
      clipSource = null;
    }
  }

  private byte[] sourceBytes(String clip, Row row) throws ImageDecodeException {
    if (row.isNullAt(FrameRows.IMAGE)) {
      throw new ImageDecodeException(
          "SOURCE_MISSING", "the image column is null: put the clip's PNG or JPEG bytes there");
    }
    byte[] image = (byte[]) row.get(FrameRows.IMAGE);
    if (!settings.base64Sources()) {
      return image;
    }
    try {
      // Line breaks are common in stored base64; anything else outside the alphabet is an error.
      return Base64.getDecoder()
          .decode(new String(image, StandardCharsets.US_ASCII).replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new ImageDecodeException(
          "SOURCE_BAD_BASE64",
          "the image string is not base64 ("
              + e.getMessage()
              + "): JSON sources carry images as base64 text");
    }
  }

  /** The source's own coefficients, required only by models whose forward takes them. */
  private float[] sourceCoefficients(String clip, Row row) throws ImageDecodeException {
    if (!model.takesSourceCoeffs()) {
      return null;
    }
    if (row.isNullAt(FrameRows.COEFFS)) {
      throw new ImageDecodeException(
          "SOURCE_MISSING_COEFFS",
          "model "
              + model.spec()
              + " takes source coefficients: add a coeffs column to the sources table");
    }
    Coefficients read = readCoefficients(row, clip, null);
    if (read.error() != null) {
      throw new ImageDecodeException(
          "SOURCE_BAD_COEFFS", "source coefficients: " + read.error().message());
    }
    return read.values();
  }

  /** The row's coefficients, or why they cannot be used: read once, checked as they are read. */
  private record Coefficients(float[] values, FrameError error) {}

  private FrameError validate(String clip, Integer index) {
    if (clip == null) {
      return error(null, index, INPUT, "MISSING_CLIP_ID", "frame row has no clip_id");
    }
    if (clip.isBlank()) {
      return error(
          clip, index, INPUT, "BLANK_CLIP_ID", "frame row has a blank clip_id: give it its clip");
    }
    if (index == null) {
      return error(clip, null, INPUT, "MISSING_FRAME_INDEX", "frame row has no frame_index");
    }
    if (index < 0) {
      return error(
          clip, index, INPUT, "NEGATIVE_FRAME_INDEX", "frame_index " + index + " is negative");
    }
    if (clip.equals(lastFrameClip) && index == lastFrameIndex) {
      return error(
          clip,
          index,
          INPUT,
          "DUPLICATE_FRAME",
          "frame " + index + " of clip '" + clip + "' appears more than once; the first was kept");
    }
    if (!clip.equals(clipId)) {
      return error(
          clip,
          index,
          INPUT,
          "NO_SOURCE",
          "clip '" + clip + "' has no row in the sources table: add its source image");
    }
    if (clipError != null) {
      return new FrameError(
          settings.runId(), clip, index, clipError.stage(), clipError.code(), clipError.message());
    }
    return null;
  }

  private Coefficients readCoefficients(Row row, String clip, Integer index) {
    if (row.isNullAt(FrameRows.COEFFS)) {
      return rejected(
          error(clip, index, INPUT, "MISSING_COEFFS", "frame has no coeffs: the column is null"));
    }
    List<Float> coeffs = row.getList(FrameRows.COEFFS);
    if (settings.coeffCount() > 0 && coeffs.size() != settings.coeffCount()) {
      return rejected(
          error(
              clip,
              index,
              INPUT,
              "BAD_COEFF_COUNT",
              "frame has "
                  + coeffs.size()
                  + " coefficients, the model expects "
                  + settings.coeffCount()
                  + " (set --coeff-count for other models)"));
    }
    float[] values = new float[coeffs.size()];
    for (int i = 0; i < values.length; i++) {
      Float value = coeffs.get(i);
      if (value == null) {
        return rejected(
            error(
                clip,
                index,
                INPUT,
                "NULL_COEFF",
                "coefficient " + i + " is null: every coefficient needs a value"));
      }
      if (!Float.isFinite(value)) {
        return rejected(
            error(
                clip,
                index,
                INPUT,
                "NON_FINITE_COEFF",
                "coefficient " + i + " is " + value + ": coefficients must be finite numbers"));
      }
      if (Math.abs(value) > settings.maxAbsCoeff()) {
        return rejected(
            error(
                clip,
                index,
                INPUT,
                "COEFF_OUT_OF_RANGE",
                "coefficient "
                    + i
                    + " is "
                    + value
                    + ", beyond --max-abs-coeff "
                    + settings.maxAbsCoeff()
                    + ": check the driving data's units"));
      }
      values[i] = value;
    }
    return new Coefficients(values, null);
  }

  private static Coefficients rejected(FrameError error) {
    return new Coefficients(null, error);
  }

  private void planFor(PendingFrame sample, long pixels) {
    planned = planner.plan(renderer, sample);
    plannedPixels = pixels;
    if (ceiling == null) {
      ceiling = new AdaptiveCeiling(planned.plan().batch(), settings.growAfter());
    } else {
      ceiling.replan(planned.plan().batch());
    }
  }

  /** A batch handed to the render stage, with what its metrics need. */
  private record InFlight(int size, long startMillis, long decodeNanos, Future<Rendered> result) {}

  /** What the render stage made of a batch, and the ceiling and size it started at. */
  private record Rendered(
      List<RenderedBatch> pieces,
      int ooms,
      int splits,
      long wallNanos,
      int ceilingAtStart,
      int firstTry) {}

  /**
   * Cuts the pending frames into a batch and hands it to the render stage; waits for the oldest
   * batch only when more than the pipeline depth are in flight, so memory stays bounded.
   */
  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    FrameBatch batch = new FrameBatch(pending);
    pending = new ArrayList<>();
    // Every frame of a retired clip is in this batch or an earlier one: free them after it.
    List<ClipSource> done = new ArrayList<>(retired);
    retired.clear();
    Callable<Rendered> work =
        () -> {
          try {
            return render(batch);
          } finally {
            done.forEach(ClipSource::close);
          }
        };
    FutureTask<Rendered> result = new FutureTask<>(work);
    inFlight.add(new InFlight(batch.size(), System.currentTimeMillis(), decodeNanos, result));
    decodeNanos = 0;
    if (stage == null) {
      result.run();
    } else {
      stage.execute(result);
    }
    while (inFlight.size() > pipelineDepth) {
      collect(inFlight.poll());
    }
  }

  /**
   * Runs on the render stage: the batch with split-and-retry, to pixels. A batch cut before an OOM
   * lowered the ceiling is first cut down to it, so no batch in flight repeats a known OOM.
   */
  private Rendered render(FrameBatch batch) {
    long start = System.nanoTime();
    int[] ooms = {0};
    int[] splits = {0};
    int limit = ceiling.ceiling();
    List<FrameBatch> chunks = batch.size() > limit ? batch.chunks(limit) : List.of(batch);
    int firstTry = chunks.get(0).size();
    List<RenderedBatch> pieces = new ArrayList<>();
    SplitRetry.Listener listener =
        new SplitRetry.Listener() {
          @Override
          public void onOutOfMemory(int pieceSize, RuntimeException error) {
            ooms[0]++;
            if (pieceSize > 1) {
              splits[0]++;
            }
            ceiling.onOutOfMemory(pieceSize);
          }

          @Override
          public void onSuccess(int pieceSize) {
            ceiling.onSuccess(pieceSize);
          }
        };
    for (FrameBatch chunk : chunks) {
      pieces.addAll(retry.run(chunk, listener));
    }
    return new Rendered(pieces, ooms[0], splits[0], System.nanoTime() - start, limit, firstTry);
  }

  /** On the task thread: waits for a batch, encodes it, emits its rows and its metrics. */
  private void collect(InFlight batch) {
    Rendered rendered = await(batch.result());
    long encodeStart = System.nanoTime();
    long renderNanos = 0;
    long peak = -1;
    int frames = 0;
    for (RenderedBatch piece : rendered.pieces()) {
      renderNanos += piece.renderNanos();
      peak = Math.max(peak, piece.peakBytes());
      List<byte[]> encoded = renderer.encode(piece.frames(), piece.pixels());
      for (int i = 0; i < piece.frames().size(); i++) {
        PendingFrame frame = piece.frames().get(i);
        byte[] image = encoded.get(i);
        if (image == null) {
          continue;
        }
        frames++;
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
    int size = batch.size();
    sinks.progress(size);
    sinks.metrics(
        new BatchMetrics(
            settings.runId(),
            RENDER,
            task.executor(),
            task.host(),
            task.partition(),
            task.attempt(),
            batchSeq++,
            device.id(),
            settings.level().id(),
            planned.plan().batch(),
            rendered.ceilingAtStart(),
            rendered.firstTry(),
            frames,
            size - frames,
            rendered.ooms(),
            rendered.splits(),
            planned.freeBytes(),
            planned.totalBytes(),
            peak,
            planned.calibration() == null ? -1 : planned.calibration().perFrameBytes(),
            planned.calibration() == null ? -1 : planned.calibration().fixedBytes(),
            batch.decodeNanos(),
            renderNanos,
            encodeNanos,
            batch.startMillis(),
            System.currentTimeMillis(),
            frames * 1e9 / Math.max(1, batch.decodeNanos() + rendered.wallNanos() + encodeNanos)));
    if (settings.injectTaskFailure() && task.attempt() == 0) {
      throw new IllegalStateException(
          "Injected task failure after batch 1 of partition " + task.partition() + ", attempt 0");
    }
  }

  private static Rendered await(Future<Rendered> result) {
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while a batch was rendering", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** A one-frame piece that still ran out of memory: its frame becomes an error row. */
  private RenderedBatch singleFrameOom(FrameBatch piece, RuntimeException error) {
    PendingFrame frame = piece.frames().get(0);
    sinks.error(
        error(
            frame.clipId(),
            frame.frameIndex(),
            RENDER,
            "OUT_OF_MEMORY",
            "one frame does not fit on "
                + device.id()
                + " ("
                + Torch.firstLine(error)
                + "): lower the resolution or free the device"));
    List<byte[]> none = new ArrayList<>();
    none.add(null);
    return new RenderedBatch(piece.frames(), none, 0, -1);
  }

  private FrameError error(String clip, Integer index, String stage, String code, String message) {
    return new FrameError(settings.runId(), clip, index, stage, code, message);
  }
}
