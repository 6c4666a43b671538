package dev.facerender.model;

import dev.facerender.natives.TorchNatives;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.bytedeco.pytorch.ClassType;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.QualifiedNameOptional;
import org.bytedeco.pytorch.SimpleSelf;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Built-in models: TorchScript source shipped as resources and compiled at load time into a module,
 * so they take the same path as user files and can be saved as files too.
 */
public final class BuiltinModels {
  public static final String PREFIX = "builtin:";
  public static final String WARP = PREFIX + "warp";
  public static final String SHARPEN = PREFIX + "sharpen";

  /**
   * SadTalker's face renderer, architecture only: random weights from a fixed seed, for sizing and
   * benchmarks (real weights come through docs/sadtalker-export.md). {@code ?width=W} (0 < W <= 1)
   * scales its channels: 1 (the default) is SadTalker's size, 0.125 renders in seconds.
   */
  public static final String SADTALKER_ARCH = PREFIX + "sadtalker-arch";

  /** What every listing says about {@link #SADTALKER_ARCH}. */
  public static final String SADTALKER_ARCH_NOTE =
      "architecture only, random weights, for sizing and benchmarks; real weights via"
          + " docs/sadtalker-export.md";

  private static final String WIDTH_OPTION = "?width=";

  /** Coefficients per frame that {@code builtin:warp} reads: 64 expression, 3 rotation, 3 shift. */
  public static final int WARP_COEFFS = 70;

  /** Expression coefficients with a named effect in {@code builtin:warp}. */
  public static final int JAW = 0;

  public static final int BLINK = 1;
  public static final int SMILE = 2;
  public static final int BROW = 3;
  public static final int YAW = 64;
  public static final int PITCH = 65;
  public static final int ROLL = 66;
  public static final int SHIFT_X = 67;
  public static final int SHIFT_Y = 68;
  public static final int ZOOM = 69;

  private static final int MIXED_EXPRESSIONS = 60;
  private static final int MIX_FIELDS = 4;

  private BuiltinModels() {}

  public static boolean isBuiltin(String spec) {
    return spec.startsWith(PREFIX);
  }

  /** Compiles a built-in renderer; the caller owns the returned module. */
  public static JitModule compile(String spec) {
    TorchNatives.load();
    if (WARP.equals(spec)) {
      return warp();
    }
    if (spec.startsWith(SADTALKER_ARCH)) {
      return SadTalkerArch.build(sadTalkerWidth(spec));
    }
    throw new ModelException(
        "Unknown built-in model '"
            + spec
            + "': the built-in renderers are "
            + WARP
            + " and "
            + SADTALKER_ARCH
            + "[?width=W] ("
            + SADTALKER_ARCH_NOTE
            + ")");
  }

  /** The channel width {@code builtin:sadtalker-arch[?width=W]} asks for (1 when absent). */
  public static double sadTalkerWidth(String spec) {
    String rest = spec.substring(SADTALKER_ARCH.length());
    if (rest.isEmpty()) {
      return 1.0;
    }
    if (rest.startsWith(WIDTH_OPTION)) {
      try {
        return Double.parseDouble(rest.substring(WIDTH_OPTION.length()));
      } catch (NumberFormatException e) {
        // reported below with the expected form
      }
    }
    throw new ModelException(
        "Model spec '"
            + spec
            + "': expected "
            + SADTALKER_ARCH
            + " or "
            + SADTALKER_ARCH
            + "?width=W with 0 < W <= 1, e.g. "
            + SADTALKER_ARCH
            + "?width=0.125");
  }

  /** Whether {@code spec} names the SadTalker-architecture built-in, at any width. */
  public static boolean isSadTalkerArch(String spec) {
    return spec.equals(SADTALKER_ARCH) || spec.startsWith(SADTALKER_ARCH + "?");
  }

  /** Compiles a built-in enhancer; the caller owns the returned module. */
  public static JitModule compileEnhancer(String spec) {
    TorchNatives.load();
    if (!SHARPEN.equals(spec)) {
      throw new ModelException(
          "Unknown built-in enhancer '" + spec + "': the built-in enhancer is " + SHARPEN);
    }
    JitModule module = new JitModule(new QualifiedName("facerender.Sharpen"));
    define(module, resource("sharpen.torchscript"));
    return module;
  }

  private static JitModule warp() {
    JitModule module = new JitModule(new QualifiedName("facerender.Warp"));
    module.register_buffer("mix", mixWeights());
    define(module, resource("warp.torchscript"));
    return module;
  }

  /** Small fixed weights so that every expression coefficient moves the face a little. */
  private static Tensor mixWeights() {
    float[] weights = new float[MIXED_EXPRESSIONS * MIX_FIELDS];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (float) (0.004 * Math.sin(1.7 * i + 0.3));
    }
    return torch.tensor(weights).view(MIXED_EXPRESSIONS, MIX_FIELDS).clone();
  }

  static void define(JitModule module, String source) {
    ClassType type = module.type();
    type.compilation_unit()
        .define(
            new QualifiedNameOptional(type.name().get()),
            source,
            torch.nativeResolver(),
            new SimpleSelf(type));
  }

  /**
   * A digest of a built-in's code (its TorchScript source), so that what was measured for one
   * version of a built-in is never taken for another; empty for other specs.
   */
  public static String sourceDigest(String spec) {
    String name =
        WARP.equals(spec)
            ? "warp.torchscript"
            : SHARPEN.equals(spec)
                ? "sharpen.torchscript"
                : spec.startsWith(SADTALKER_ARCH) ? "sadtalker_arch.py" : null;
    if (name == null) {
      return "";
    }
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(resource(name).getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest, 0, 12);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  static String resource(String name) {
    try (InputStream in = BuiltinModels.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("Missing model resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
