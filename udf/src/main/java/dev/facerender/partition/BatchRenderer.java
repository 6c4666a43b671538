package dev.facerender.partition;

import dev.facerender.codec.ImageCodec;
import dev.facerender.codec.TensorFrames;
import dev.facerender.config.OutputFormat;
import dev.facerender.device.Device;
import dev.facerender.model.FrameModel;
import dev.facerender.model.ModelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Renders and encodes one batch. Idempotent: the same frames give the same bytes whatever batch
 * they are in, so a split retry cannot change the output. Every tensor lives in a scope per call.
 */
final class BatchRenderer {
  /**
   * Calibration takes the write side so its timings and peaks are not disturbed by other tasks of
   * the executor; batches take the read side and run concurrently.
   */
  static final ReadWriteLock DEVICE_LOCK = new ReentrantReadWriteLock();

  private final FrameModel model;
  private final Device device;
  private final RenderSettings settings;
  private final OomInjector injector;

  BatchRenderer(FrameModel model, Device device, RenderSettings settings, OomInjector injector) {
    this.model = model;
    this.device = device;
    this.settings = settings;
    this.injector = injector;
  }

  RenderedBatch render(FrameBatch batch) {
    List<PendingFrame> frames = batch.frames();
    long start = System.nanoTime();
    List<byte[]> pixels;
    long peak;
    DEVICE_LOCK.readLock().lock();
    try {
      pixels = renderPixels(frames, true);
      peak = device.peakBytes();
    } finally {
      DEVICE_LOCK.readLock().unlock();
    }
    long rendered = System.nanoTime();
    List<byte[]> encoded = encode(frames, pixels);
    PendingFrame first = frames.get(0);
    long pixelCount = (long) first.source().width() * first.source().height();
    return new RenderedBatch(
        frames,
        encoded,
        device.batchNanos(frames.size(), pixelCount, rendered - start),
        System.nanoTime() - rendered,
        peak);
  }

  /** A calibration run: {@code size} copies of {@code sample}, not encoded, not injected. */
  long[] calibrationRun(PendingFrame sample, int size) {
    List<PendingFrame> frames = java.util.Collections.nCopies(size, sample);
    long start = System.nanoTime();
    renderPixels(frames, false);
    long elapsed = System.nanoTime() - start;
    long pixelCount = (long) sample.source().width() * sample.source().height();
    return new long[] {device.peakBytes(), device.batchNanos(size, pixelCount, elapsed)};
  }

  private List<byte[]> renderPixels(List<PendingFrame> frames, boolean inject) {
    int n = frames.size();
    ClipSource first = frames.get(0).source();
    int h = first.height();
    int w = first.width();
    long pixels = (long) h * w;
    try (PointerScope scope = new PointerScope()) {
      Tensor source = onDevice(sources(frames, h, w));
      Tensor coeffs = onDevice(coefficients(frames));
      device.resetPeak();
      device.beforeBatch(n, pixels);
      try {
        if (inject) {
          injector.check(n, pixels);
        }
        Tensor out = model.forward(source, coeffs);
        checkOutput(out, n, h, w);
        return TensorFrames.toFrameBytes(out, settings.format() != OutputFormat.RAW);
      } finally {
        device.afterBatch();
      }
    }
  }

  /** {@code tensor} where the model lives: the task's GPU, or as it is on the CPU. */
  private Tensor onDevice(Tensor tensor) {
    String target = device.torchDevice();
    if (target.equals("cpu")) {
      return tensor;
    }
    try (org.bytedeco.pytorch.Device cuda = new org.bytedeco.pytorch.Device(target)) {
      return tensor.to(cuda, tensor.scalar_type());
    }
  }

  /** {@code [N,3,H,W]}: each clip's source expanded over its run of frames (views, no copies). */
  private static Tensor sources(List<PendingFrame> frames, int h, int w) {
    TensorVector runs = new TensorVector();
    int i = 0;
    while (i < frames.size()) {
      ClipSource source = frames.get(i).source();
      int j = i;
      while (j < frames.size() && frames.get(j).source() == source) {
        j++;
      }
      runs.push_back(TensorFrames.toTensor(source.image()).expand(j - i, 3, h, w));
      i = j;
    }
    return runs.size() == 1 ? runs.get(0) : torch.cat(runs);
  }

  private static Tensor coefficients(List<PendingFrame> frames) {
    int c = frames.get(0).coeffs().length;
    float[] flat = new float[frames.size() * c];
    for (int i = 0; i < frames.size(); i++) {
      System.arraycopy(frames.get(i).coeffs(), 0, flat, i * c, c);
    }
    FloatPointer data = new FloatPointer(flat);
    return torch.from_blob(data, frames.size(), c).clone();
  }

  private void checkOutput(Tensor out, int n, int h, int w) {
    long[] shape = out.sizes().vec().get();
    if (!Arrays.equals(shape, new long[] {n, 3, h, w})) {
      throw new ModelException(
          "Model "
              + model.spec()
              + " returned shape "
              + Arrays.toString(shape)
              + " for "
              + n
              + " sources of "
              + w
              + "x"
              + h
              + ": forward must return [N,3,H,W] = "
              + Arrays.toString(new long[] {n, 3, h, w}));
    }
    if (out.scalar_type().intern() != ScalarType.Float) {
      throw new ModelException(
          "Model " + model.spec() + " returned " + out.scalar_type() + ", not float32 in [0,1]");
    }
  }

  private List<byte[]> encode(List<PendingFrame> frames, List<byte[]> pixels) {
    List<byte[]> encoded = new ArrayList<>(frames.size());
    for (int i = 0; i < frames.size(); i++) {
      int w = frames.get(i).source().width();
      int h = frames.get(i).source().height();
      byte[] frame = pixels.get(i);
      encoded.add(
          switch (settings.format()) {
            case PNG ->
                ImageCodec.encodePng(ImageCodec.wrapBgr(frame, w, h), settings.pngCompression());
            case JPEG ->
                ImageCodec.encodeJpeg(
                    ImageCodec.wrapBgr(frame, w, h), (float) settings.jpegQuality());
            case RAW -> frame;
          });
    }
    return encoded;
  }
}
