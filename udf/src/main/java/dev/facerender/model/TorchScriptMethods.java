package dev.facerender.model;

import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Method;
import org.bytedeco.pytorch.MethodOptional;
import org.bytedeco.pytorch.Tensor;

/** What a TorchScript module's methods take and give, checked before they are called. */
final class TorchScriptMethods {
  private TorchScriptMethods() {}

  /**
   * Moves the module's parameters and buffers to {@code torchDevice} ({@code cpu}, {@code cuda:N}).
   */
  static void place(JitModule module, String torchDevice) {
    if (!torchDevice.equals("cpu")) {
      try (org.bytedeco.pytorch.Device device = new org.bytedeco.pytorch.Device(torchDevice)) {
        module.to(device);
      }
    }
  }

  /** Elements of every parameter of the module and its submodules (buffers not counted). */
  static long parameterCount(JitModule module) {
    long count = 0;
    try (org.bytedeco.pytorch.parameter_list parameters = module.parameters(true);
        org.bytedeco.pytorch.parameter_iterator end = parameters.end()) {
      for (org.bytedeco.pytorch.parameter_iterator it = parameters.begin();
          it.notEquals(end);
          it = it.increment()) {
        try (Tensor parameter = it.access()) {
          count += parameter.numel();
        }
      }
    }
    return count;
  }

  static boolean has(JitModule module, String name) {
    try (MethodOptional method = module.find_method(name)) {
      return method.has_value();
    }
  }

  /** Inputs of {@code name}, not counting {@code self}. */
  static int inputs(JitModule module, String name) {
    if (!has(module, name)) {
      throw new ModelException(
          "TorchScript module has no '"
              + name
              + "' method: script the module whose "
              + name
              + " Facerender should call (torch.jit.script(model))");
    }
    try (Method method = module.get_method(name)) {
      return Math.toIntExact(method.num_inputs()) - SELF;
    }
  }

  /** Method.num_inputs counts the module itself. */
  private static final int SELF = 1;

  static Tensor tensor(IValue result, String spec, String method) {
    if (!result.isTensor()) {
      throw new ModelException(
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
}
