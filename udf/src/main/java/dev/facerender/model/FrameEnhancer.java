package dev.facerender.model;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Tensor;

/**
 * A second TorchScript stage, {@code forward(frames [N,3,H,W]) -> [N,3,H,W]} in [0,1], applied to
 * rendered frames in the same batch (so sizing and split-retry cover it): a face restorer such as
 * an exported GFPGAN, or {@code builtin:sharpen}.
 */
public final class FrameEnhancer implements AutoCloseable {
  private final String spec;
  private final JitModule module;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Takes ownership of {@code module} and moves it to {@code torchDevice}. */
  FrameEnhancer(String spec, JitModule module, String torchDevice) {
    this.spec = requireNonNull(spec, "spec is null");
    this.module = requireNonNull(module, "module is null");
    TorchScriptMethods.place(module, torchDevice);
    module.eval();
    int inputs;
    try {
      inputs = TorchScriptMethods.inputs(module, "forward");
    } catch (ModelException e) {
      module.close();
      throw e;
    }
    if (inputs != 1) {
      module.close();
      throw new ModelException(
          "Enhancer "
              + spec
              + ": forward takes "
              + inputs
              + " inputs; an enhancer is forward(frames) -> frames");
    }
  }

  public String spec() {
    return spec;
  }

  public Tensor enhance(Tensor frames) {
    if (closed.get()) {
      throw new IllegalStateException("Enhancer " + spec + " is closed");
    }
    try (InferenceMode inference = new InferenceMode();
        IValueVector inputs = new IValueVector(new IValue(frames));
        IValue result = module.forward(inputs)) {
      return TorchScriptMethods.tensor(result, spec, "forward");
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      module.close();
    }
  }
}
