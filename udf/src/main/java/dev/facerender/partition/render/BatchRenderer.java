package dev.facerender.partition.render;

import dev.facerender.codec.TensorFrames;
import dev.facerender.config.OutputFormat;
import dev.facerender.device.BatchPeaks;
import dev.facerender.device.Device;
import dev.facerender.model.FrameEnhancer;
import dev.facerender.model.FrameModel;
import dev.facerender.model.OutputContract;
import dev.facerender.model.Torch;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.runtime.DeviceState;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.Lock;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;

/**
 * Renders one batch to 8-bit pixels. Idempotent: the same frames give the same bytes whatever batch
 * they are in, so a split retry cannot change the output. Every tensor lives in a scope per call.
 */
public final class BatchRenderer implements AutoCloseable {
  private final FrameModel model;
  private final FrameEnhancer enhancer;
  private final DeviceState state;
  private final Device device;
  private final RenderSettings settings;
  private final BatchFaults faults;
  private final DeviceInputs inputs;

  private final CalibrationFrames kept = new CalibrationFrames();

  /** The render stage's thread count per batch; calibration measures at the task's share. */
  private final ThreadChoice threadChoice = new ThreadChoice();

  private final FirstBatchContract contract;

  /** The task's own stream for all its batches and calibration runs, whichever thread runs them. */
  private final Device.TaskStream stream;

  /** {@code enhancer} may be null. */
  public BatchRenderer(
      FrameModel model,
      FrameEnhancer enhancer,
      DeviceState state,
      RenderSettings settings,
      BatchFaults faults) {
    this.model = model;
    this.enhancer = enhancer;
    this.state = state;
    this.device = state.device();
    this.settings = settings;
    this.faults = faults;
    this.inputs = new DeviceInputs(model, device);
    this.contract = new FirstBatchContract(model, enhancer);
    this.stream = device.openTaskStream();
  }

  /**
   * Gives the task's stream back. Only once no batch or calibration run of this renderer can start
   * or is running: the render stage's last action.
   */
  @Override
  public void close() {
    stream.close();
  }

  /**
   * Renders a batch to 8-bit pixels; encoding is a separate stage ({@code FrameEncoder}). Frames
   * calibration already rendered ({@link #calibrationRun}) are not drawn again: frames give the
   * same pixels in any batch, and the time they took was calibration's.
   */
  public RenderedBatch render(FrameBatch batch) {
    List<PendingFrame> frames = batch.frames();
    CalibrationFrames.Taken taken = kept.take(frames);
    List<PendingFrame> drawn = taken.toDraw();
    long start = System.nanoTime();
    Pixels pixels = drawn.isEmpty() ? new Pixels(List.of(), -1) : draw(drawn);
    long nanos = 0;
    if (!drawn.isEmpty()) {
      PendingFrame first = drawn.get(0);
      long pixelCount = (long) first.source().width() * first.source().height();
      nanos = device.batchNanos(drawn.size(), pixelCount, System.nanoTime() - start);
    }
    List<byte[]> rendered = taken.merge(pixels.frames());
    String stage = enhancer == null ? model.spec() : model.spec() + " then " + enhancer.spec();
    return new RenderedBatch(
        frames,
        rendered,
        NonFiniteFrames.errors(settings.runId(), stage, frames, rendered),
        nanos,
        pixels.peakBytes());
  }

  /** Draws {@code frames} beside the other tasks' batches (the device's read side). */
  private Pixels draw(List<PendingFrame> frames) {
    Lock shared = state.lock().readLock();
    shared.lock();
    try {
      return renderPixels(frames, true);
    } catch (OutOfMemoryError e) {
      // The JVM's memory, not the device's: halving the batch would hide a heap too small for the
      // planned batches behind retries that may fail again anywhere. The task fails, saying what
      // to raise; the batch's arrays are garbage now, so the task can still report it.
      throw new JvmMemoryExhausted(frames, device.id(), e);
    } finally {
      shared.unlock();
    }
  }

  /**
   * A calibration run of {@code size} copies of {@code sample} (the diagnostics' probes): as {@link
   * #calibrationRun(List)}.
   */
  public long[] calibrationRun(PendingFrame sample, int size) {
    return calibrationRun(Collections.nCopies(size, sample));
  }

  /**
   * A calibration run of {@code frames} as one batch, not injected; their pixels are kept for the
   * batches that hold them. Returns its peak bytes and its wall time (a simulated device's modelled
   * time); the caller brackets real timings with {@link #synchronize}.
   */
  public long[] calibrationRun(List<PendingFrame> frames) {
    long start = System.nanoTime();
    Pixels pixels = renderPixels(frames, false);
    long elapsed = System.nanoTime() - start;
    kept.keep(frames, pixels.frames());
    PendingFrame first = frames.get(0);
    long pixelCount = (long) first.source().width() * first.source().height();
    return new long[] {pixels.peakBytes(), device.batchNanos(frames.size(), pixelCount, elapsed)};
  }

  /** Returns the device's wholly free cached segments to it. */
  public void emptyCache() {
    device.emptyCache();
  }

  /** Waits for the device work queued on this renderer's stream, from whichever thread. */
  void synchronize() {
    stream.synchronize();
  }

  /** Whether the device models batch times rather than measuring them (a simulated GPU). */
  boolean modelsTime() {
    return device.modelsTime();
  }

  /** A batch's 8-bit frames and its own peak device bytes (-1 unknown). */
  private record Pixels(List<byte[]> frames, long peakBytes) {}

  /** {@code realBatch}: a batch of the render (faults injected), not calibration. */
  private Pixels renderPixels(List<PendingFrame> frames, boolean realBatch) {
    int n = frames.size();
    ClipSource first = frames.get(0).source();
    int h = first.height();
    int w = first.width();
    long pixels = (long) h * w;
    List<byte[]> rendered;
    long peakBytes;
    int threads =
        realBatch
            ? threadChoice.choose(settings.torchThreadsNow(state.cores()))
            : settings.torchThreadsToCalibrate(state.cores());
    Torch.configureThreads(threads);
    settings.network().torch().precision().applyMathMode();
    BatchPeaks peaks = state.peaks();
    BatchPeaks.Window window = peaks.begin(n);
    // Inference mode: no autograd bookkeeping (version counters, views' metadata) on any tensor.
    try (PointerScope scope = new PointerScope();
        InferenceMode inference = new InferenceMode();
        Device.StreamScope current = stream.enter()) {
      startFromWholeSegments(window);
      long start = System.nanoTime();
      device.beforeBatch(n, pixels);
      try {
        if (realBatch) {
          faults.check(n, pixels);
        }
        Tensor source = inputs.sources(frames);
        Tensor coeffs =
            inputs.onDevice(DeviceInputs.coefficients(frames, settings.network().windowWidth()));
        Tensor sourceCoeffs =
            model.takesSourceCoeffs()
                ? inputs.onDevice(DeviceInputs.sourceCoefficients(frames))
                : null;
        boolean checkValues = contract.pending();
        Tensor out =
            contract.call(checkValues, n, () -> model.forward(source, coeffs, sourceCoeffs));
        long[] wanted = {n, 3, h, w};
        String input = n + " sources of " + w + "x" + h;
        OutputContract.check(out, wanted, model.spec(), "Model", input, checkValues);
        if (enhancer != null) {
          Tensor modelOut = out;
          out = contract.call(checkValues, n, () -> enhancer.enhance(modelOut));
          OutputContract.check(out, wanted, enhancer.spec(), "Enhancer", input, checkValues);
        }
        contract.passed();
        boolean[] nonFinite = TensorFrames.nonFinite(out);
        rendered = TensorFrames.toFrameBytes(out, settings.output().format() != OutputFormat.RAW);
        for (int i = 0; i < n; i++) {
          if (nonFinite[i]) {
            // Quantized NaN is 0: a black frame that would pass for a rendered one.
            rendered.set(i, null);
          }
        }
        if (realBatch) {
          threadChoice.record(threads, n, System.nanoTime() - start);
        }
      } finally {
        device.afterBatch();
      }
    } finally {
      peakBytes = peaks.end(window);
    }
    device.checkBatch(n, pixels, peakBytes);
    return new Pixels(rendered, peakBytes);
  }

  /**
   * Returns the cache's wholly free segments to the device before a batch that begins alone, when
   * it may need them whole: when the cache, not the device, holds most of the free memory (a batch
   * near the limit), or when the batch is larger than the one before it (its largest tensors do not
   * fit the blocks the smaller one cut). Otherwise a batch reuses the blocks its predecessor of the
   * same size cut, or takes new segments from the device, and never pays the segments' {@code
   * cudaFree} (which waits for the device) and {@code cudaMalloc}: the warp's best batches on a 141
   * GB GPU use a few hundred MB, and the cache is left to cache. Near the limit the caching
   * allocator's fragmentation OOM is real: on a 16 GiB simulated GPU back-to-back batches of
   * 157-187 frames fail every second run, and one of 178 after one of 62 fails, though each fits on
   * whole segments. Calibration runs take the same rule, so they time what the render will do.
   * Alone only: emptying stalls the device, and another task's batch may hold part of every
   * segment.
   */
  private void startFromWholeSegments(BatchPeaks.Window window) {
    long cachedFree = device.reservedBytes() - device.allocatedBytes();
    if (window.startedAlone()
        && cachedFree > 0
        && (window.grew() || cachedFree > device.freeBytes())) {
      device.emptyCache();
    }
  }
}
