package dev.facerender.model;

import static dev.facerender.model.SadTalkerCost.COEFFS;
import static dev.facerender.model.SadTalkerCost.COMPRESS;
import static dev.facerender.model.SadTalkerCost.DEPTH;
import static dev.facerender.model.SadTalkerCost.NUM_BINS;
import static dev.facerender.model.SadTalkerCost.NUM_KP;

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
 * Builds {@code builtin:sadtalker-arch}: SadTalker's face renderer at 256 px with its layer
 * structure and tensor shapes and random weights drawn from a fixed seed (architecture only, for
 * sizing and benchmarks; real weights come through docs/sadtalker-export.md). The module tree
 * mirrors SadTalker's modules; each module's TorchScript is a section of {@code sadtalker_arch.py}.
 * {@code width} scales every channel count so that tests run in seconds; 1 is SadTalker's.
 *
 * <p>Per clip ({@code encode_source}): keypoint detector, appearance features (a 32 x 16 x H/4 x
 * W/4 volume), the source's keypoints. Per frame ({@code forward}, windows {@code [N,70,27]}):
 * mapping network, keypoint transform, dense motion (3D hourglass, mask, occlusion), 3D warp by
 * grid_sample and the occlusion-aware SPADE generator.
 */
final class SadTalkerArch {
  /** The seed every run and machine draws the weights from. */
  static final long SEED = 20_230_301L;

  private static final String SOURCE = "sadtalker_arch.py";

  private final double width;
  private final Generator random;
  private final Map<String, String> kinds;

  private SadTalkerArch(double width) {
    this.width = width;
    this.random = torch.createCPUGenerator(SEED);
    this.kinds = sections(BuiltinModels.resource(SOURCE));
  }

  /** Builds the renderer at {@code width} (0 < width <= 1); the caller owns the module. */
  static JitModule build(double width) {
    if (!(width > 0 && width <= 1)) {
      throw new ModelException(
          "builtin:sadtalker-arch width must be in (0, 1], got "
              + width
              + ": 1 is SadTalker's size, 0.125 runs in seconds");
    }
    return new SadTalkerArch(width).root();
  }

  private int ch(int full) {
    return SadTalkerCost.channels(full, width);
  }

  private JitModule root() {
    JitModule root = new JitModule(new QualifiedName("facerender.SadTalkerArch"));
    root.register_buffer("antialias", antialiasKernel());
    keypointDetector(root);
    appearance(root);
    mapping(root);
    denseMotion(root);
    generator(root);
    BuiltinModels.define(root, kinds.get("root"));
    return root;
  }

  private void keypointDetector(JitModule root) {
    int be = ch(32);
    int max = ch(1024);
    int in = 3;
    for (int i = 0; i < 5; i++) {
      int out = Math.min(max, be << (i + 1));
      root.register_module("kp_down" + i, block("down2d", conv(2, in, out, 3, 1), norm(out)));
      in = out;
    }
    root.register_module("kp_reshape", conv(2, in, max * DEPTH, 1, 1));
    in = max;
    for (int i = 0; i < 5; i++) {
      int out = Math.min(max, be << (4 - i));
      root.register_module("kp_up" + i, block("up3d", conv(3, in, out, 3, 1), norm(out)));
      in = out;
    }
    root.register_module("kp_head", conv(3, in, NUM_KP, 3, 1));
  }

  private void appearance(JitModule root) {
    int be = ch(64);
    int feature = ch(32);
    root.register_module("app_first", block("same", conv(2, 3, be, 3, 1), norm(be)));
    root.register_module("app_down0", block("down2d", conv(2, be, be * 2, 3, 1), norm(be * 2)));
    root.register_module("app_down1", block("down2d", conv(2, be * 2, be * 4, 3, 1), norm(be * 4)));
    root.register_module("app_second", conv(2, be * 4, feature * DEPTH, 1, 1));
    for (int i = 0; i < 6; i++) {
      JitModule res = module("res3d");
      res.register_module("norm1", norm(feature));
      res.register_module("conv1", conv(3, feature, feature, 3, 1));
      res.register_module("norm2", norm(feature));
      res.register_module("conv2", conv(3, feature, feature, 3, 1));
      root.register_module("app_res" + i, defined(res, "res3d"));
    }
  }

  private void mapping(JitModule root) {
    int d = ch(1024);
    root.register_module("map_first", convDilated(1, COEFFS, d, 7, 0, 1, true));
    for (int i = 0; i < 3; i++) {
      root.register_module("map_enc" + i, convDilated(1, d, d, 3, 0, 3, true));
    }
    root.register_module("map_yaw", linear(d, NUM_BINS));
    root.register_module("map_pitch", linear(d, NUM_BINS));
    root.register_module("map_roll", linear(d, NUM_BINS));
    root.register_module("map_t", linear(d, 3));
    root.register_module("map_exp", linear(d, 3 * NUM_KP));
  }

  private void denseMotion(JitModule root) {
    int be = ch(32);
    int max = ch(1024);
    root.register_module("dm_compress", conv(3, ch(32), COMPRESS, 1, 1));
    root.register_module("dm_norm", norm(COMPRESS));
    int input = (NUM_KP + 1) * (COMPRESS + 1);
    int[] skips = new int[6];
    skips[0] = input;
    int in = input;
    for (int i = 0; i < 5; i++) {
      int out = Math.min(max, be << (i + 1));
      root.register_module("dm_down" + i, block("down3d", conv(3, in, out, 3, 1), norm(out)));
      skips[i + 1] = out;
      in = out;
    }
    for (int i = 0; i < 5; i++) {
      int out = Math.min(max, be << (4 - i));
      root.register_module("dm_up" + i, block("up3d", conv(3, in, out, 3, 1), norm(out)));
      in = out + skips[4 - i];
    }
    root.register_module("dm_final", block("same", conv(3, in, in, 3, 1), norm(in)));
    root.register_module("dm_mask", conv(3, in, NUM_KP + 1, 7, 1));
    root.register_module("dm_occlusion", conv(2, in * DEPTH, 1, 7, 1));
  }

  private void generator(JitModule root) {
    int ic = ch(64) * 4;
    int oc = ch(64);
    root.register_module(
        "g_third", block("same_lrelu", conv(2, ch(32) * DEPTH, ic, 3, 1), norm(ic)));
    root.register_module("g_fourth", conv(2, ic, ic, 1, 1));
    root.register_module("dec_fc", conv(2, ic, 2 * ic, 3, 1));
    for (int i = 0; i < 6; i++) {
      root.register_module("dec_mid" + i, spadeBlock(2 * ic, 2 * ic, ic));
    }
    root.register_module("dec_up0", spadeBlock(2 * ic, ic, ic));
    root.register_module("dec_up1", spadeBlock(ic, oc, ic));
    root.register_module("dec_img", conv(2, oc, 3, 3, 1));
  }

  private JitModule spadeBlock(int fin, int fout, int label) {
    int middle = Math.min(fin, fout);
    boolean shortcut = fin != fout;
    JitModule block = module(shortcut ? "spade_block_shortcut" : "spade_block");
    block.register_module("norm_0", spade(fin, label));
    block.register_module("conv_0", conv(2, fin, middle, 3, 1));
    block.register_module("norm_1", spade(middle, label));
    block.register_module("conv_1", conv(2, middle, fout, 3, 1));
    if (shortcut) {
      block.register_module("norm_s", spade(fin, label));
      block.register_module("conv_s", convDilated(2, fin, fout, 1, 0, 1, false));
    }
    return defined(block, shortcut ? "spade_block_shortcut" : "spade_block");
  }

  private JitModule spade(int channels, int label) {
    int hidden = ch(128);
    JitModule spade = module("spade");
    spade.register_module("shared", conv(2, label, hidden, 3, 1));
    spade.register_module("gamma", conv(2, hidden, channels, 3, 1));
    spade.register_module("beta", conv(2, hidden, channels, 3, 1));
    return defined(spade, "spade");
  }

  /** A conv-norm block of {@code kind} ("same", "down2d", "up3d", ...). */
  private JitModule block(String kind, JitModule conv, JitModule norm) {
    JitModule block = module(kind);
    block.register_module("conv", conv);
    block.register_module("norm", norm);
    return defined(block, kind);
  }

  /** A {@code rank}-D convolution, "same" padding. */
  private JitModule conv(int rank, int in, int out, int kernel, int dilation) {
    return convDilated(rank, in, out, kernel, kernel / 2 * dilation, dilation, true);
  }

  private JitModule convDilated(
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

  private JitModule norm(int channels) {
    JitModule norm = module("norm");
    norm.register_parameter(
        "weight", normal(new long[] {channels}, 0.1).add_(new Scalar(1.0)), false);
    norm.register_parameter("bias", normal(new long[] {channels}, 0.1), false);
    norm.register_buffer("running_mean", torch.zeros(channels));
    norm.register_buffer("running_var", torch.ones(channels));
    return defined(norm, "norm");
  }

  private JitModule linear(int in, int out) {
    JitModule linear = module("linear");
    linear.register_parameter("weight", normal(new long[] {out, in}, Math.sqrt(1.0 / in)), false);
    linear.register_parameter("bias", normal(new long[] {out}, 0.01), false);
    return defined(linear, "linear");
  }

  private JitModule module(String kind) {
    return new JitModule(new QualifiedName("facerender.sadtalker." + kind));
  }

  /** Defines the section of {@code kind} on the module. */
  private JitModule defined(JitModule module, String kind) {
    BuiltinModels.define(module, kinds.get(kind));
    return module;
  }

  private Tensor normal(long[] shape, double std) {
    return torch.randn(shape, new GeneratorOptional(random)).mul_(new Scalar(std));
  }

  /** AntiAliasInterpolation2d at scale 1/4: a 13x13 gaussian of sigma 1.5 per channel. */
  private static Tensor antialiasKernel() {
    int size = 13;
    double sigma = 1.5;
    float[] kernel = new float[size * size];
    double sum = 0;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double dy = y - (size - 1) / 2.0;
        double dx = x - (size - 1) / 2.0;
        double v = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
        kernel[y * size + x] = (float) v;
        sum += v;
      }
    }
    for (int i = 0; i < kernel.length; i++) {
      kernel[i] = (float) (kernel[i] / sum);
    }
    return torch.tensor(kernel).view(1, 1, size, size).repeat(3, 1, 1, 1).contiguous();
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
