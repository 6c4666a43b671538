package dev.facerender.model;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The layers {@link SadTalkerArch} is built of (convolutions, norms, linear layers, conv-norm
 * blocks), each a module whose TorchScript is a section of the architecture's source, with weights
 * drawn in build order from one seeded generator.
 */
final class ArchLayers {
  private final Generator random;
  private final Map<String, String> kinds;

  ArchLayers(Generator random, Map<String, String> kinds) {
    this.random = random;
    this.kinds = kinds;
  }

  /** The TorchScript section of {@code kind}. */
  String section(String kind) {
    return kinds.get(kind);
  }

  /** A conv-norm block of {@code kind} ("same", "down2d", "up3d", ...). */
  JitModule block(String kind, JitModule conv, JitModule norm) {
    JitModule block = module(kind);
    block.register_module("conv", conv);
    block.register_module("norm", norm);
    return defined(block, kind);
  }

  /** A {@code rank}-D convolution, "same" padding. */
  JitModule conv(int rank, int in, int out, int kernel, int dilation) {
    return convDilated(rank, in, out, kernel, kernel / 2 * dilation, dilation, true);
  }

  JitModule convDilated(
      int rank, int in, int out, int kernel, int padding, int dilation, boolean bias) {
    JitModule conv = module(bias ? "conv" : "conv_nobias");
    long[] shape = new long[rank + 2];
    shape[0] = out;
    shape[1] = in;
    long fanIn = in;
    for (int i = 0; i < rank; i++) {
      shape[i + 2] = kernel;
      fanIn *= kernel;
    }
    conv.register_parameter("weight", normal(shape, Math.sqrt(1.0 / fanIn)), false);
    if (bias) {
      conv.register_parameter("bias", normal(new long[] {out}, 0.01), false);
    }
    String source =
        kinds
            .get(bias ? "conv" : "conv_nobias")
            .replace("ONES", ints(rank, 1))
            .replace("ZEROS", ints(rank, 0))
            .replace("PADDING", ints(rank, padding))
            .replace("DILATION", ints(rank, dilation));
    BuiltinModels.define(conv, source);
    return conv;
  }

  JitModule norm(int channels) {
    JitModule norm = module("norm");
    norm.register_parameter(
        "weight", normal(new long[] {channels}, 0.1).add_(new Scalar(1.0)), false);
    norm.register_parameter("bias", normal(new long[] {channels}, 0.1), false);
    norm.register_buffer("running_mean", torch.zeros(channels));
    norm.register_buffer("running_var", torch.ones(channels));
    return defined(norm, "norm");
  }

  JitModule linear(int in, int out) {
    JitModule linear = module("linear");
    linear.register_parameter("weight", normal(new long[] {out, in}, Math.sqrt(1.0 / in)), false);
    linear.register_parameter("bias", normal(new long[] {out}, 0.01), false);
    return defined(linear, "linear");
  }

  JitModule module(String kind) {
    return new JitModule(new QualifiedName("facerender.sadtalker." + kind));
  }

  /** Defines the section of {@code kind} on the module. */
  JitModule defined(JitModule module, String kind) {
    BuiltinModels.define(module, kinds.get(kind));
    return module;
  }

  Tensor normal(long[] shape, double std) {
    return torch.randn(shape, new GeneratorOptional(random)).mul_(new Scalar(std));
  }

  private static String ints(int count, int value) {
    return Collections.nCopies(count, Integer.toString(value)).toString();
  }

  /** The resource's {@code #@ kind} sections by kind. */
  static Map<String, String> sections(String source) {
    Map<String, String> sections = new HashMap<>();
    String kind = null;
    StringBuilder body = new StringBuilder();
    for (String line : source.split("\n", -1)) {
      if (line.startsWith("#@ ")) {
        if (kind != null) {
          sections.put(kind, body.toString());
        }
        kind = line.substring(3).strip();
        body.setLength(0);
      } else if (kind != null) {
        body.append(line).append('\n');
      }
    }
    if (kind != null) {
      sections.put(kind, body.toString());
    }
    return sections;
  }
}
