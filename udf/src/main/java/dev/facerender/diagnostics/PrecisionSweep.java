package dev.facerender.diagnostics;

import dev.facerender.codec.Psnr;
import dev.facerender.codec.RgbImage;
import dev.facerender.codec.TensorFrames;
import dev.facerender.config.GraphExecutor;
import dev.facerender.config.Precision;
import dev.facerender.device.Device;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import dev.facerender.model.Torch;
import dev.facerender.model.TorchOptions;
import dev.facerender.partition.render.DeviceInputs;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A model's speed and error in each precision, side by side on one device: model-only frames/s at
 * one batch size (timed between two synchronisations, after warm-up) and the worst frame's PSNR
 * against fp32 on the same inputs. The first precision listed is the reference when it is fp32;
 * fp32 is rendered anyway otherwise. A precision the device cannot run (an op without a half kernel
 * on a CPU) is reported with its error, not thrown.
 */
public final class PrecisionSweep {
  /** One precision: frames/s, the worst frame's PSNR against fp32 (infinite: identical). */
  public record Row(String precision, double framesPerSecond, double worstPsnrDb, String error) {}

  private static final int WARMUPS = 3;

  private PrecisionSweep() {}

  /**
   * Renders {@code batch} copies of {@code sample} driven by seeded coefficients ({@code coeffs}
   * per frame, in windows of {@code window} when it is over 1) {@code rounds} times per precision
   * on {@code device}, libtorch on {@code threads} threads.
   */
  public static List<Row> run(
      String spec,
      Device device,
      RgbImage sample,
      int coeffs,
      int window,
      int batch,
      int rounds,
      int threads,
      List<Precision> precisions) {
    Torch.configureThreads(threads);
    List<byte[]> reference = null;
    List<Row> rows = new ArrayList<>();
    List<Precision> order = new ArrayList<>(precisions);
    order.remove(Precision.FP32);
    order.add(0, Precision.FP32);
    for (Precision precision : order) {
      try {
        Measured m = measure(spec, device, sample, coeffs, window, batch, rounds, precision);
        if (reference == null) {
          reference = m.frames();
        }
        double worst = Psnr.IDENTICAL;
        for (int i = 0; i < batch; i++) {
          worst = Math.min(worst, Psnr.of(reference.get(i), m.frames().get(i)));
        }
        if (precisions.contains(precision)) {
          rows.add(new Row(precision.toString(), m.framesPerSecond(), worst, ""));
        }
      } catch (RuntimeException e) {
        if (precision == Precision.FP32) {
          throw e;
        }
        rows.add(new Row(precision.toString(), 0, 0, Torch.firstLine(e)));
      } finally {
        Precision.FP32.applyMathMode();
      }
    }
    return rows;
  }

  private record Measured(double framesPerSecond, List<byte[]> frames) {}

  private static Measured measure(
      String spec,
      Device device,
      RgbImage sample,
      int coeffCount,
      int window,
      int batch,
      int rounds,
      Precision precision) {
    TorchOptions options = new TorchOptions(precision, GraphExecutor.SIMPLE);
    try (FrameModel model = Models.load(spec, device.torchDevice(), options);
        PointerScope scope = new PointerScope();
        InferenceMode inference = new InferenceMode()) {
      DeviceInputs inputs = new DeviceInputs(model, device);
      Tensor image = inputs.onDevice(TensorFrames.toTensor(sample));
      Tensor source = model.hasEncodeSource() ? model.encodeSource(image) : image;
      long[] shape = source.sizes().vec().get();
      shape[0] = batch;
      Tensor sources = source.expand(shape);
      // The same seeded coefficients for every precision, as a model probe renders them.
      float[] motion = ThroughputProbe.motion(batch * coeffCount * window, ModelProbe.SEED);
      Tensor flat = torch.from_blob(new FloatPointer(motion), batch, coeffCount * window).clone();
      Tensor coeffs = inputs.onDevice(window > 1 ? flat.view(batch, coeffCount, window) : flat);
      Tensor sourceCoeffs =
          model.takesSourceCoeffs() ? inputs.onDevice(torch.zeros(batch, coeffCount)) : null;
      List<byte[]> frames = null;
      for (int i = 0; i < WARMUPS; i++) {
        try (PointerScope run = new PointerScope()) {
          frames = TensorFrames.toFrameBytes(model.forward(sources, coeffs, sourceCoeffs), true);
        }
      }
      device.synchronize();
      long start = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        try (PointerScope run = new PointerScope()) {
          model.forward(sources, coeffs, sourceCoeffs);
        }
      }
      device.synchronize();
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Measured((double) batch * rounds / seconds, frames);
    }
  }
}
