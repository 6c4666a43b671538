package dev.facerender.model.cost;

import java.util.Map;

/**
 * Parameters and multiply-adds of SadTalker's face renderer, counted by hand from its module
 * definitions (OpenTalker/SadTalker {@code src/facerender/modules/}: keypoint_detector.py,
 * generator.py, dense_motion.py, mapping.py, util.py; hyper-parameters from
 * src/config/facerender.yaml), independently of the TorchScript that builds {@code
 * builtin:sadtalker-arch}, so a test can hold one against the other.
 *
 * <p>How it counts ({@link LayerCounts}). Parameters: convolution and linear weights and biases,
 * and the affine weight and bias of every batch norm; running statistics and the anti-aliasing
 * kernel are buffers, not parameters (spectral norm's {@code weight_orig} counts once as the
 * weight). Multiply-adds: every convolution ({@code out elements x in channels / groups x kernel
 * volume}) and linear layer; element-wise work, norms, softmax, interpolation and {@code
 * grid_sample} are left out, as the usual counters (fvcore, thop) do. GFLOPs = 2 x multiply-adds /
 * 1e9.
 *
 * <p>{@code width} scales every channel count (1 = SadTalker's); spatial sizes follow the frame.
 */
public final class SadTalkerCost {
  /** Keypoints (facerender.yaml num_kp). */
  public static final int NUM_KP = 15;

  /** Head-pose bins of the mapping network (num_bins). */
  public static final int NUM_BINS = 66;

  /** Depth of the 3D feature volumes (reshape_depth). */
  public static final int DEPTH = 16;

  /** Channels the dense-motion network compresses the features to (compress). */
  public static final int COMPRESS = 4;

  /** Coefficients per frame (coeff_nc) and frames per window: 13 either side. */
  public static final int COEFFS = 70;

  public static final int WINDOW = 27;

  private final double width;
  private final int height;
  private final int widthPx;
  private final LayerCounts layers = new LayerCounts();

  private SadTalkerCost(double width, int height, int widthPx) {
    this.width = width;
    this.height = height;
    this.widthPx = widthPx;
  }

  /** Channels at this width: SadTalker's count scaled, at least one. */
  public static int channels(int full, double width) {
    return Math.max(1, (int) Math.round(full * width));
  }

  /** The counts for frames of {@code height x widthPx} at {@code width}. */
  public static Map<String, long[]> count(double width, int height, int widthPx) {
    SadTalkerCost c = new SadTalkerCost(width, height, widthPx);
    c.keypointDetector();
    c.appearanceEncoder();
    c.mapping("mapping");
    c.denseMotion();
    c.decoder();
    return c.layers.parts();
  }

  /** Parameters of the whole renderer (he_estimator excluded: make_animation never calls it). */
  public static long parameters(double width) {
    return count(width, 256, 256).values().stream().mapToLong(p -> p[0]).sum();
  }

  /**
   * Multiply-adds per frame of {@code builtin:sadtalker-arch}: the mapping network for the driving
   * window and for the source's, dense motion and generator; the source's keypoints and features
   * are made once per clip by encode_source.
   */
  public static long macsPerFrame(double width, int height, int widthPx) {
    Map<String, long[]> p = count(width, height, widthPx);
    return 2 * p.get("mapping")[1] + p.get("dense_motion")[1] + p.get("generator")[1];
  }

  /** Multiply-adds per frame of SadTalker as make_animation runs it: it re-encodes the source. */
  public static long sadTalkerMacsPerFrame(double width, int height, int widthPx) {
    Map<String, long[]> p = count(width, height, widthPx);
    return p.get("mapping")[1]
        + p.get("appearance")[1]
        + p.get("dense_motion")[1]
        + p.get("generator")[1];
  }

  private int ch(int full) {
    return channels(full, width);
  }

  /** KPDetector: anti-aliased 1/4 downsampling, KPHourglass, a 3x3x3 keypoint head. */
  private void keypointDetector() {
    layers.begin();
    int be = ch(32);
    int max = ch(1024);
    int h = height / 4;
    int w = widthPx / 4;
    // AntiAliasInterpolation2d: a depthwise 13x13 gaussian, a buffer, over the full frame.
    layers.bufferMacs(3L * 13 * 13 * height * widthPx);
    int in = 3;
    for (int i = 0; i < 5; i++) {
      int out = Math.min(max, be << (i + 1));
      layers.conv(in, out, 9, (long) h * w, true); // DownBlock2d: conv, norm, relu, 2x2 pool
      layers.norm(out);
      in = out;
      h /= 2;
      w /= 2;
    }
    layers.conv(in, max * DEPTH, 1, (long) h * w, true); // to reshape_channel = max x depth
    in = max;
    for (int i = 0; i < 5; i++) {
      int out = Math.min(max, be << (4 - i));
      h *= 2;
      w *= 2;
      layers.conv(
          in, out, 27, (long) DEPTH * h * w, true); // UpBlock3d: upsample (1,2,2), conv3d, norm
      layers.norm(out);
      in = out;
    }
    layers.conv(in, NUM_KP, 27, (long) DEPTH * h * w, true);
    layers.end("keypoint_detector");
  }

  /** The generator's source encoder: first, two down blocks, second, six 3D res blocks. */
  private void appearanceEncoder() {
    layers.begin();
    int be = ch(64);
    int feature = ch(32);
    long full = (long) height * widthPx;
    layers.conv(3, be, 9, full, true);
    layers.norm(be);
    layers.conv(be, be * 2, 9, full, true); // DownBlock2d convolves before it pools
    layers.norm(be * 2);
    layers.conv(be * 2, be * 4, 9, full / 4, true);
    layers.norm(be * 4);
    layers.conv(be * 4, feature * DEPTH, 1, full / 16, true); // to max_features = 32 x 16
    for (int i = 0; i < 6; i++) {
      layers.norm(feature);
      layers.conv(feature, feature, 27, DEPTH * full / 16, true);
      layers.norm(feature);
      layers.conv(feature, feature, 27, DEPTH * full / 16, true);
    }
    layers.end("appearance");
  }

  /** MappingNet: conv1d k7, three dilated conv1d k3 with residuals, five linear heads. */
  private void mapping(String part) {
    layers.begin();
    int d = ch(1024);
    int length = WINDOW - 6;
    layers.conv(COEFFS, d, 7, length, true);
    for (int i = 0; i < 3; i++) {
      length -= 6;
      layers.conv(d, d, 3, length, true);
    }
    layers.linear(d, NUM_BINS);
    layers.linear(d, NUM_BINS);
    layers.linear(d, NUM_BINS);
    layers.linear(d, 3);
    layers.linear(d, 3 * NUM_KP);
    layers.end(part);
  }

  /** DenseMotionNetwork: compress, a 5-level 3D hourglass, a 7x7x7 mask head, occlusion. */
  private void denseMotion() {
    layers.begin();
    int be = ch(32);
    int max = ch(1024);
    int feature = ch(32);
    int h = height / 4;
    int w = widthPx / 4;
    layers.conv(feature, COMPRESS, 1, (long) DEPTH * h * w, true);
    layers.norm(COMPRESS);
    int input = (NUM_KP + 1) * (COMPRESS + 1);
    int[] skips = new int[6];
    skips[0] = input;
    int in = input;
    for (int i = 0; i < 5; i++) {
      int out = Math.min(max, be << (i + 1));
      layers.conv(in, out, 27, (long) DEPTH * h * w, true); // DownBlock3d: conv before the pool
      layers.norm(out);
      in = out;
      skips[i + 1] = out;
      h /= 2;
      w /= 2;
    }
    for (int i = 4; i >= 0; i--) {
      int out = Math.min(max, be << i);
      h *= 2;
      w *= 2;
      layers.conv(in, out, 27, (long) DEPTH * h * w, true);
      layers.norm(out);
      in = out + skips[i];
    }
    layers.conv(in, in, 27, (long) DEPTH * h * w, true);
    layers.norm(in);
    layers.conv(in, NUM_KP + 1, 343, (long) DEPTH * h * w, true);
    layers.conv(in * DEPTH, 1, 49, (long) h * w, true);
    layers.end("dense_motion");
  }

  /** After the warp: third, fourth, then SPADEDecoder (six middle blocks, two up blocks). */
  private void decoder() {
    layers.begin();
    int be = ch(64);
    int feature = ch(32);
    int ic = be * 4;
    int oc = ch(64);
    long positions = (long) (height / 4) * (widthPx / 4);
    layers.conv(feature * DEPTH, ic, 9, positions, true);
    layers.norm(ic);
    layers.conv(ic, ic, 1, positions, true);
    layers.conv(ic, 2 * ic, 9, positions, true);
    for (int i = 0; i < 6; i++) {
      spadeBlock(2 * ic, 2 * ic, ic, positions);
    }
    spadeBlock(2 * ic, ic, ic, positions * 4);
    spadeBlock(ic, oc, ic, positions * 16);
    layers.conv(oc, 3, 9, positions * 16, true);
    layers.end("generator");
  }

  private void spadeBlock(int fin, int fout, int label, long positions) {
    int middle = Math.min(fin, fout);
    spade(fin, label, positions);
    layers.conv(fin, middle, 9, positions, true);
    spade(middle, label, positions);
    layers.conv(middle, fout, 9, positions, true);
    if (fin != fout) {
      spade(fin, label, positions);
      layers.conv(fin, fout, 1, positions, false);
    }
  }

  /** SPADE: instance norm without affine, a shared 3x3 conv to nhidden, gamma and beta convs. */
  private void spade(int channels, int label, long positions) {
    int hidden = ch(128);
    layers.conv(label, hidden, 9, positions, true);
    layers.conv(hidden, channels, 9, positions, true);
    layers.conv(hidden, channels, 9, positions, true);
  }
}
