package dev.facerender.model;

import static java.util.Objects.requireNonNull;

import dev.facerender.natives.TorchNatives;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.JitModule;

/**
 * Saves any model Facerender can run as a TorchScript file: a built-in as compiled at run time, a
 * user's file as Facerender loaded it. The file is then read back through {@link Models}, so what
 * was exported is what a render would run, and its signature comes from that reading.
 */
public final class ModelExport {
  /** What a model's {@code forward} takes: a renderer's source and coefficients, or frames. */
  public enum Kind {
    /** {@code forward(source, coeffs[, source_coeffs])}, optionally {@code encode_source}. */
    RENDERER,
    /** {@code forward(frames)}: an enhancer applied to rendered frames. */
    ENHANCER
  }

  /** A saved model: the file, its size, and what Facerender calls on it. */
  public record Exported(
      String spec,
      Path file,
      long bytes,
      Kind kind,
      boolean takesSourceCoeffs,
      boolean hasEncodeSource) {
    public Exported {
      requireNonNull(spec, "spec is null");
      requireNonNull(file, "file is null");
      requireNonNull(kind, "kind is null");
    }
  }

  private ModelExport() {}

  /**
   * Saves {@code spec} to {@code out} with its tensors on {@code torchDevice} ({@code cpu}, which
   * any machine loads, or {@code cuda:N}).
   */
  public static Exported save(String spec, Path out, String torchDevice) {
    TorchNatives.load();
    Kind kind;
    try (JitModule module = read(spec)) {
      kind = TorchScriptMethods.inputs(module, "forward") == 1 ? Kind.ENHANCER : Kind.RENDERER;
      module.eval();
      place(module, spec, torchDevice);
      try {
        module.save(out.toString());
      } catch (RuntimeException e) {
        throw new ModelException(
            "Cannot write "
                + out
                + " ("
                + Torch.firstLine(e)
                + "): pass an --out file in a folder that exists and is writable",
            e);
      }
    }
    try {
      return readBack(spec, out, kind);
    } catch (ModelException e) {
      // A file Facerender cannot run is no export.
      deleteQuietly(out, e);
      throw e;
    }
  }

  private static JitModule read(String spec) {
    if (BuiltinModels.SHARPEN.equals(spec)) {
      return BuiltinModels.compileEnhancer(spec);
    }
    if (BuiltinModels.WARP.equals(spec) || BuiltinModels.isSadTalkerArch(spec)) {
      return BuiltinModels.compile(spec);
    }
    if (BuiltinModels.isBuiltin(spec)) {
      throw new ModelException(
          "Unknown model '"
              + spec
              + "': pass "
              + BuiltinModels.WARP
              + ", "
              + BuiltinModels.SADTALKER_ARCH
              + "[?width=W], "
              + BuiltinModels.SHARPEN
              + " or a TorchScript file saved with torch.jit.save");
    }
    return Models.readFile(spec, "Model");
  }

  private static void place(JitModule module, String spec, String torchDevice) {
    try {
      TorchScriptMethods.place(module, torchDevice);
    } catch (RuntimeException e) {
      throw new ModelException(
          "Cannot move "
              + spec
              + " to device '"
              + torchDevice
              + "' ("
              + Torch.firstLine(e)
              + "): pass --device cpu (the default; any machine loads the file) or a cuda:N"
              + " this libtorch build can reach",
          e);
    }
  }

  private static Exported readBack(String spec, Path out, Kind kind) {
    long bytes;
    try {
      bytes = Files.size(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String file = out.toString();
    if (kind == Kind.ENHANCER) {
      try (FrameEnhancer enhancer = Models.loadEnhancer(file)) {
        return new Exported(spec, out, bytes, kind, false, false);
      }
    }
    try (FrameModel model = Models.load(file)) {
      return new Exported(
          spec, out, bytes, kind, model.takesSourceCoeffs(), model.hasEncodeSource());
    }
  }

  private static void deleteQuietly(Path file, Exception cause) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }
}
