package dev.facerender.model;

import static dev.facerender.model.cost.SadTalkerCost.COEFFS;
import static dev.facerender.model.cost.SadTalkerCost.COMPRESS;
import static dev.facerender.model.cost.SadTalkerCost.DEPTH;
import static dev.facerender.model.cost.SadTalkerCost.NUM_BINS;
import static dev.facerender.model.cost.SadTalkerCost.NUM_KP;

import dev.facerender.model.cost.SadTalkerCost;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
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
  private final ArchLayers layers;

  private SadTalkerArch(double width) {
    this.width = width;
    this.layers =
        new ArchLayers(
            torch.createCPUGenerator(SEED), ArchLayers.sections(BuiltinModels.resource(SOURCE)));
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
    BuiltinModels.define(root, layers.section("root"));
    return root;
  }

  private void keypointDetector(JitModule root) {
    int be = ch(32);
    int max = ch(1024);
    int in = 3;
    for (int i = 0; i < 5; i++) {
      int out = Math.min(max, be << (i + 1));
      root.register_module(
          "kp_down" + i, layers.block("down2d", layers.conv(2, in, out, 3, 1), layers.norm(out)));
      in = out;
    }
    root.register_module("kp_reshape", layers.conv(2, in, max * DEPTH, 1, 1));
    in = max;
    for (int i = 0; i < 5; i++) {
      int out = Math.min(max, be << (4 - i));
      root.register_module(
          "kp_up" + i, layers.block("up3d", layers.conv(3, in, out, 3, 1), layers.norm(out)));
      in = out;
    }
    root.register_module("kp_head", layers.conv(3, in, NUM_KP, 3, 1));
  }

  private void appearance(JitModule root) {
    int be = ch(64);
    int feature = ch(32);
    root.register_module(
        "app_first", layers.block("same", layers.conv(2, 3, be, 3, 1), layers.norm(be)));
    root.register_module(
        "app_down0", layers.block("down2d", layers.conv(2, be, be * 2, 3, 1), layers.norm(be * 2)));
    root.register_module(
        "app_down1",
        layers.block("down2d", layers.conv(2, be * 2, be * 4, 3, 1), layers.norm(be * 4)));
    root.register_module("app_second", layers.conv(2, be * 4, feature * DEPTH, 1, 1));
    for (int i = 0; i < 6; i++) {
      JitModule res = layers.module("res3d");
      res.register_module("norm1", layers.norm(feature));
      res.register_module("conv1", layers.conv(3, feature, feature, 3, 1));
      res.register_module("norm2", layers.norm(feature));
      res.register_module("conv2", layers.conv(3, feature, feature, 3, 1));
      root.register_module("app_res" + i, layers.defined(res, "res3d"));
    }
  }

  private void mapping(JitModule root) {
    int d = ch(1024);
    root.register_module("map_first", layers.convDilated(1, COEFFS, d, 7, 0, 1, true));
    for (int i = 0; i < 3; i++) {
      root.register_module("map_enc" + i, layers.convDilated(1, d, d, 3, 0, 3, true));
    }
    root.register_module("map_yaw", layers.linear(d, NUM_BINS));
    root.register_module("map_pitch", layers.linear(d, NUM_BINS));
    root.register_module("map_roll", layers.linear(d, NUM_BINS));
    root.register_module("map_t", layers.linear(d, 3));
    root.register_module("map_exp", layers.linear(d, 3 * NUM_KP));
  }

  private void denseMotion(JitModule root) {
    int be = ch(32);
    int max = ch(1024);
    root.register_module("dm_compress", layers.conv(3, ch(32), COMPRESS, 1, 1));
    root.register_module("dm_norm", layers.norm(COMPRESS));
    int input = (NUM_KP + 1) * (COMPRESS + 1);
    int[] skips = new int[6];
    skips[0] = input;
    int in = input;
    for (int i = 0; i < 5; i++) {
      int out = Math.min(max, be << (i + 1));
      root.register_module(
          "dm_down" + i, layers.block("down3d", layers.conv(3, in, out, 3, 1), layers.norm(out)));
      skips[i + 1] = out;
      in = out;
    }
    for (int i = 0; i < 5; i++) {
      int out = Math.min(max, be << (4 - i));
      root.register_module(
          "dm_up" + i, layers.block("up3d", layers.conv(3, in, out, 3, 1), layers.norm(out)));
      in = out + skips[4 - i];
    }
    root.register_module(
        "dm_final", layers.block("same", layers.conv(3, in, in, 3, 1), layers.norm(in)));
    root.register_module("dm_mask", layers.conv(3, in, NUM_KP + 1, 7, 1));
    root.register_module("dm_occlusion", layers.conv(2, in * DEPTH, 1, 7, 1));
  }

  private void generator(JitModule root) {
    int ic = ch(64) * 4;
    int oc = ch(64);
    root.register_module(
        "g_third",
        layers.block("same_lrelu", layers.conv(2, ch(32) * DEPTH, ic, 3, 1), layers.norm(ic)));
    root.register_module("g_fourth", layers.conv(2, ic, ic, 1, 1));
    root.register_module("dec_fc", layers.conv(2, ic, 2 * ic, 3, 1));
    for (int i = 0; i < 6; i++) {
      root.register_module("dec_mid" + i, spadeBlock(2 * ic, 2 * ic, ic));
    }
    root.register_module("dec_up0", spadeBlock(2 * ic, ic, ic));
    root.register_module("dec_up1", spadeBlock(ic, oc, ic));
    root.register_module("dec_img", layers.conv(2, oc, 3, 3, 1));
  }

  private JitModule spadeBlock(int fin, int fout, int label) {
    int middle = Math.min(fin, fout);
    boolean shortcut = fin != fout;
    JitModule block = layers.module(shortcut ? "spade_block_shortcut" : "spade_block");
    block.register_module("norm_0", spade(fin, label));
    block.register_module("conv_0", layers.conv(2, fin, middle, 3, 1));
    block.register_module("norm_1", spade(middle, label));
    block.register_module("conv_1", layers.conv(2, middle, fout, 3, 1));
    if (shortcut) {
      block.register_module("norm_s", spade(fin, label));
      block.register_module("conv_s", layers.convDilated(2, fin, fout, 1, 0, 1, false));
    }
    return layers.defined(block, shortcut ? "spade_block_shortcut" : "spade_block");
  }

  private JitModule spade(int channels, int label) {
    int hidden = ch(128);
    JitModule spade = layers.module("spade");
    spade.register_module("shared", layers.conv(2, label, hidden, 3, 1));
    spade.register_module("gamma", layers.conv(2, hidden, channels, 3, 1));
    spade.register_module("beta", layers.conv(2, hidden, channels, 3, 1));
    return layers.defined(spade, "spade");
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
}
