package dev.facerender.model;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.global.torch;

/** Loads models by spec: {@code builtin:NAME} or the path of a TorchScript file. */
public final class Models {
  private Models() {}

  /** Loads a model on the CPU; the caller owns it. */
  public static FrameModel load(String spec) {
    return load(spec, "cpu");
  }

  /**
   * Loads a model with its parameters and buffers on {@code torchDevice} ({@code cpu} or {@code
   * cuda:N}); the caller owns it.
   */
  public static FrameModel load(String spec, String torchDevice) {
    String name = BuiltinModels.isBuiltin(spec) ? spec : file(spec).toString();
    return new TorchScriptModel(name, module(spec), torchDevice);
  }

  private static Path file(String spec) {
    return Path.of(spec.startsWith("file:") ? spec.substring("file:".length()) : spec);
  }

  private static JitModule module(String spec) {
    if (BuiltinModels.isBuiltin(spec)) {
      return BuiltinModels.compile(spec);
    }
    Path path = file(spec);
    if (!Files.isRegularFile(path)) {
      throw new ModelException(
          "Model file "
              + path
              + " does not exist or is not a file: pass a TorchScript file saved with"
              + " torch.jit.save, or "
              + BuiltinModels.WARP);
    }
    JitModule module;
    try {
      module = torch.load(path.toString());
    } catch (RuntimeException e) {
      throw new ModelException(
          "Model file "
              + path
              + " is not a TorchScript module ("
              + Torch.firstLine(e)
              + "): export it with torch.jit.script(model).save(path)",
          e);
    }
    return module;
  }
}
