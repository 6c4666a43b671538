package dev.facerender.model;

import static java.util.Objects.requireNonNull;

import dev.facerender.config.Precision;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Method;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** A TorchScript module, built in or loaded from a file, behind the {@link FrameModel} contract. */
public final class TorchScriptModel implements FrameModel {
  private final String spec;
  private final JitModule module;
  private final boolean hasEncodeSource;
  private final boolean takesSourceCoeffs;
  private final Precision precision;
  private final DeviceType deviceType;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** As below, in float32. */
  public TorchScriptModel(String spec, JitModule module, String torchDevice) {
    this(spec, module, torchDevice, Precision.FP32);
  }

  /**
   * Takes ownership of {@code module} (closing this model frees it) and moves its parameters and
   * buffers to {@code torchDevice} ({@code cpu} or {@code cuda:N}); its methods run in {@code
   * precision} and return float32 frames at every precision, so callers see one contract.
   */
  public TorchScriptModel(String spec, JitModule module, String torchDevice, Precision precision) {
    this.spec = requireNonNull(spec, "spec is null");
    this.module = requireNonNull(module, "module is null");
    this.precision = requireNonNull(precision, "precision is null");
    this.deviceType = torchDevice.startsWith("cuda") ? DeviceType.CUDA : DeviceType.CPU;
    TorchScriptMethods.place(module, torchDevice);
    module.eval();
    try {
      int inputs = TorchScriptMethods.inputs(module, "forward");
      if (inputs < 2 || inputs > 3) {
        throw new ModelException(
            "Model "
                + spec
                + ": forward takes "
                + inputs
                + " inputs; it must be forward(source, coeffs) or forward(source, coeffs,"
                + " source_coeffs)");
      }
      this.takesSourceCoeffs = inputs == 3;
      this.hasEncodeSource = TorchScriptMethods.has(module, "encode_source");
      if (hasEncodeSource && TorchScriptMethods.inputs(module, "encode_source") != 1) {
        throw new ModelException(
            "Model " + spec + ": encode_source must take exactly one input, the source image");
      }
    } catch (ModelException e) {
      module.close();
      throw e;
    }
  }

  @Override
  public String spec() {
    return spec;
  }

  @Override
  public Tensor forward(Tensor source, Tensor coeffs, Tensor sourceCoeffs) {
    checkOpen();
    try (InferenceMode inference = new InferenceMode();
        Autocast autocast = new Autocast(precision, deviceType);
        IValueVector inputs =
            takesSourceCoeffs
                ? new IValueVector(
                    new IValue(source),
                    new IValue(coeffs),
                    new IValue(requireNonNull(sourceCoeffs, "source coefficients are null")))
                : new IValueVector(new IValue(source), new IValue(coeffs));
        IValue result = module.forward(inputs)) {
      return floats(TorchScriptMethods.tensor(result, spec, "forward"));
    }
  }

  @Override
  public boolean takesSourceCoeffs() {
    return takesSourceCoeffs;
  }

  @Override
  public boolean hasEncodeSource() {
    return hasEncodeSource;
  }

  @Override
  public Tensor encodeSource(Tensor source) {
    checkOpen();
    if (!hasEncodeSource) {
      throw new IllegalStateException("Model " + spec + " has no encode_source method");
    }
    try (InferenceMode inference = new InferenceMode();
        Autocast autocast = new Autocast(precision, deviceType);
        Method method = module.get_method("encode_source");
        IValueVector inputs = new IValueVector(new IValue(source));
        IValue result = method.apply(inputs)) {
      // Stays in the model's type: it goes back into forward, never to the caller's pixels.
      return TorchScriptMethods.tensor(result, spec, "encode_source");
    }
  }

  @Override
  public long parameterCount() {
    checkOpen();
    return TorchScriptMethods.parameterCount(module);
  }

  /** Frames computed in half precision back as float32, the contract's type. */
  private Tensor floats(Tensor output) {
    return precision.isHalf() && output.scalar_type().intern() == precision.scalarType()
        ? output.toType(ScalarType.Float)
        : output;
  }

  /**
   * libtorch's autocast for the calling thread while a half precision's model runs: convolutions
   * and matrix products in bf16 or fp16, precision-sensitive ops (softmax, norms, sums, exp) kept
   * in float32 by autocast's own lists, weights and inputs left in float32. Autocast's weight cache
   * is off while it runs: it would keep a half copy of every float32 weight that requires grad (a
   * loaded file's do) in a process-wide cache that only {@code clear_cache} empties, outside any
   * batch's peak and for the JVM's life; recasting per batch costs a copy of the weights, small
   * next to a batch. Restores the thread's previous state on close, as {@code torch.autocast} does.
   */
  private static final class Autocast implements AutoCloseable {
    private final DeviceType type;
    private final boolean wasEnabled;
    private final ScalarType wasType;
    private final boolean wasCaching;

    Autocast(Precision precision, DeviceType type) {
      this.type = type;
      this.wasEnabled = torch.is_autocast_enabled(type);
      this.wasType = torch.get_autocast_dtype(type);
      this.wasCaching = torch.is_autocast_cache_enabled();
      if (precision.isHalf()) {
        torch.set_autocast_cache_enabled(false);
        torch.set_autocast_dtype(type, precision.scalarType());
        torch.set_autocast_enabled(type, true);
      } else if (wasEnabled) {
        torch.set_autocast_enabled(type, false);
      }
    }

    @Override
    public void close() {
      torch.set_autocast_enabled(type, wasEnabled);
      torch.set_autocast_dtype(type, wasType);
      torch.set_autocast_cache_enabled(wasCaching);
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("Model " + spec + " is closed");
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      module.close();
    }
  }
}
