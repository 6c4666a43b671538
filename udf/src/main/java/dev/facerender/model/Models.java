package dev.facerender.model;

import dev.facerender.natives.TorchNatives;
import dev.facerender.natives.ZeroFilledAllocations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;
import org.apache.spark.SparkFiles;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads models by spec: {@code builtin:NAME}, a local path, or {@code shipped:NAME} for a file the
 * driver shipped to executors with {@code SparkContext.addFile}.
 */
public final class Models {
  /** Prefix of files the driver shipped to every executor. */
  public static final String SHIPPED = "shipped:";

  private Models() {}

  /** Loads a renderer on the CPU; the caller owns it. */
  public static FrameModel load(String spec) {
    return load(spec, "cpu");
  }

  /**
   * Loads a renderer onto {@code torchDevice} ({@code cpu} or {@code cuda:N}): read onto the CPU,
   * then moved. The caller owns it.
   */
  public static FrameModel load(String spec, String torchDevice) {
    return load(spec, torchDevice, TorchOptions.DEFAULT);
  }

  /** As above, in {@code options}' precision and graph executor. */
  public static FrameModel load(String spec, String torchDevice, TorchOptions options) {
    TorchNatives.load();
    options.apply();
    if (!BuiltinModels.WARP.equals(spec)) {
      // The warp has no convolution; every other model may (see ZeroFilledAllocations).
      ZeroFilledAllocations.enable();
    }
    if (BuiltinModels.isBuiltin(spec)) {
      return new TorchScriptModel(
          spec, BuiltinModels.compile(spec), torchDevice, options.precision());
    }
    return fromFile(
        spec,
        "Model",
        (name, module) -> new TorchScriptModel(name, module, torchDevice, options.precision()));
  }

  /** Loads an enhancer on the CPU; the caller owns it. */
  public static FrameEnhancer loadEnhancer(String spec) {
    return loadEnhancer(spec, "cpu");
  }

  /** Loads an enhancer onto {@code torchDevice}; the caller owns it. */
  public static FrameEnhancer loadEnhancer(String spec, String torchDevice) {
    TorchNatives.load();
    ZeroFilledAllocations.enable();
    if (BuiltinModels.isBuiltin(spec)) {
      return new FrameEnhancer(spec, BuiltinModels.compileEnhancer(spec), torchDevice);
    }
    return fromFile(
        spec, "Enhancer", (name, module) -> new FrameEnhancer(name, module, torchDevice));
  }

  /** The local file behind a spec that names one. */
  public static Path localPath(String spec) {
    if (spec.startsWith(SHIPPED)) {
      return Path.of(SparkFiles.get(spec.substring(SHIPPED.length())));
    }
    return Path.of(spec.startsWith("file:") ? java.net.URI.create(spec).getPath() : spec);
  }

  private static <T> T fromFile(String spec, String what, BiFunction<String, JitModule, T> wrap) {
    return wrap.apply(spec, readFile(spec, what));
  }

  /** The TorchScript module in the file {@code spec} names, on the CPU; the caller owns it. */
  static JitModule readFile(String spec, String what) {
    Path path = localPath(spec);
    if (!Files.isRegularFile(path)) {
      throw new ModelException(
          what
              + " file "
              + path
              + " does not exist or is not a file: pass a TorchScript file saved with"
              + " torch.jit.save, or a builtin: name");
    }
    // Tensors load onto the CPU whatever device they were saved from (a module saved on cuda:1
    // would otherwise need cuda:1 here, and fail on the driver's CPU); placing them is the model
    // wrapper's job.
    try (Device cpu = new Device("cpu");
        DeviceOptional mapLocation = new DeviceOptional(cpu)) {
      return torch.load(path.toString(), mapLocation, true);
    } catch (RuntimeException e) {
      throw new ModelException(
          what
              + " file "
              + path
              + " is not a TorchScript module ("
              + Torch.firstLine(e)
              + "): export it with torch.jit.script(model).save(path)",
          e);
    }
  }
}
