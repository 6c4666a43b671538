package dev.facerender.model;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Method;
import org.bytedeco.pytorch.Tensor;

/** A TorchScript module, built in or loaded from a file, behind the {@link FrameModel} contract. */
public final class TorchScriptModel implements FrameModel {
  private final String spec;
  private final JitModule module;
  private final boolean hasEncodeSource;
  private final boolean takesSourceCoeffs;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Takes ownership of {@code module} (closing this model frees it) and moves its parameters and
   * buffers to {@code torchDevice}: {@code cpu} or {@code cuda:N}.
   */
  public TorchScriptModel(String spec, JitModule module, String torchDevice) {
    this.spec = requireNonNull(spec, "spec is null");
    this.module = requireNonNull(module, "module is null");
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
        IValueVector inputs =
            takesSourceCoeffs
                ? new IValueVector(
                    new IValue(source),
                    new IValue(coeffs),
                    new IValue(requireNonNull(sourceCoeffs, "source coefficients are null")))
                : new IValueVector(new IValue(source), new IValue(coeffs));
        IValue result = module.forward(inputs)) {
      return TorchScriptMethods.tensor(result, spec, "forward");
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
        Method method = module.get_method("encode_source");
        IValueVector inputs = new IValueVector(new IValue(source));
        IValue result = method.apply(inputs)) {
      return TorchScriptMethods.tensor(result, spec, "encode_source");
    }
  }

  @Override
  public long parameterCount() {
    checkOpen();
    return TorchScriptMethods.parameterCount(module);
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
