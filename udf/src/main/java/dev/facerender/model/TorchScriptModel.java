package dev.facerender.model;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Method;
import org.bytedeco.pytorch.MethodOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/** A TorchScript module, built in or loaded from a file, behind the {@link FrameModel} contract. */
public final class TorchScriptModel implements FrameModel {
  private final String spec;
  private final JitModule module;
  private final boolean hasEncodeSource;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Takes ownership of {@code module} (closing this model frees it) and moves its parameters and
   * buffers to {@code torchDevice}: {@code cpu} or {@code cuda:N}.
   */
  public TorchScriptModel(String spec, JitModule module, String torchDevice) {
    this.spec = requireNonNull(spec, "spec is null");
    this.module = requireNonNull(module, "module is null");
    if (!torchDevice.equals("cpu")) {
      try (Device device = new Device(torchDevice)) {
        module.to(device);
      }
    }
    module.eval();
    try (MethodOptional encode = module.find_method("encode_source")) {
      this.hasEncodeSource = encode.has_value();
    }
  }

  @Override
  public String spec() {
    return spec;
  }

  @Override
  public Tensor forward(Tensor source, Tensor coeffs) {
    checkOpen();
    try (NoGradGuard noGrad = new NoGradGuard();
        IValueVector inputs = new IValueVector(new IValue(source), new IValue(coeffs));
        IValue result = module.forward(inputs)) {
      return requireTensor(result, "forward");
    }
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
    try (NoGradGuard noGrad = new NoGradGuard();
        Method method = module.get_method("encode_source");
        IValueVector inputs = new IValueVector(new IValue(source));
        IValue result = method.apply(inputs)) {
      return requireTensor(result, "encode_source");
    }
  }

  private Tensor requireTensor(IValue result, String method) {
    if (!result.isTensor()) {
      throw new IllegalStateException(
          "Model "
              + spec
              + ": "
              + method
              + " returned "
              + result.tagKind().getString()
              + ", not a Tensor");
    }
    // toTensor() views the IValue's payload, which dies with it: keep our own reference.
    try (Tensor payload = result.toTensor()) {
      return new Tensor(payload);
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
