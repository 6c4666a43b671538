package dev.facerender.model;

import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Runs a model once on a tiny batch on the driver, so a model that breaks the contract stops the
 * run before any task starts, with what is wrong and how to fix it.
 */
public final class ModelPreflight {
  // 128: the smallest frame builtin:sadtalker-arch takes (its hourglasses halve it seven times).
  private static final int SIZE = 128;
  private static final int FRAMES = 2;

  private ModelPreflight() {}

  /** As below, for a model on the CPU. */
  public static void check(FrameModel model, int coeffCount, int window) {
    check(model, coeffCount, window, "cpu");
  }

  /**
   * Checks a renderer with coefficients {@code [N,C]}, or {@code [N,C,window]} windows, fed test
   * tensors on {@code torchDevice}, where the model lives ({@code cpu} or {@code cuda:N}).
   */
  public static void check(FrameModel model, int coeffCount, int window, String torchDevice) {
    int c = coeffCount > 0 ? coeffCount : 70;
    String shapes =
        "[N,3,"
            + SIZE
            + ","
            + SIZE
            + "] with coeffs "
            + (window > 1 ? "[N," + c + "," + window + "]" : "[N," + c + "]");
    try (PointerScope scope = new PointerScope()) {
      Tensor image =
          Torch.onDevice(torch.full(new long[] {1, 3, SIZE, SIZE}, new Scalar(0.5)), torchDevice);
      Tensor source;
      try {
        source = model.hasEncodeSource() ? model.encodeSource(image) : image;
      } catch (RuntimeException e) {
        throw new ModelException(
            "Model "
                + model.spec()
                + " fails in encode_source on a [1,3,"
                + SIZE
                + ","
                + SIZE
                + "] source: "
                + Torch.firstLine(e),
            e);
      }
      long[] encoded = source.sizes().vec().get();
      if (encoded.length == 0 || encoded[0] != 1) {
        throw new ModelException(
            "Model "
                + model.spec()
                + ": encode_source returns shape "
                + Arrays.toString(encoded)
                + " for one source; its first dimension must be 1 (it is expanded over a batch)");
      }
      encoded[0] = FRAMES;
      Tensor coeffs =
          Torch.onDevice(
              window > 1 ? torch.zeros(FRAMES, c, window) : torch.zeros(FRAMES, c), torchDevice);
      Tensor out;
      try {
        out =
            model.forward(
                source.expand(encoded),
                coeffs,
                model.takesSourceCoeffs()
                    ? Torch.onDevice(torch.zeros(FRAMES, c), torchDevice)
                    : null);
      } catch (RuntimeException e) {
        throw new ModelException(
            "Model "
                + model.spec()
                + " fails on a test batch of "
                + FRAMES
                + " frames "
                + shapes
                + ": "
                + Torch.firstLine(e)
                + ". forward(source, coeffs) must accept these shapes"
                + (window > 1 ? "" : " (SadTalker-style models need --window-radius 13)"),
            e);
      }
      checkFrames(out, model.spec(), "Model");
    }
  }

  /** As below, for an enhancer on the CPU. */
  public static void check(FrameEnhancer enhancer) {
    check(enhancer, "cpu");
  }

  /** Checks an enhancer on a mid-grey test batch on {@code torchDevice}, where it lives. */
  public static void check(FrameEnhancer enhancer, String torchDevice) {
    try (PointerScope scope = new PointerScope()) {
      Tensor frames =
          Torch.onDevice(
              torch.full(new long[] {FRAMES, 3, SIZE, SIZE}, new Scalar(0.5)), torchDevice);
      Tensor out;
      try {
        out = enhancer.enhance(frames);
      } catch (RuntimeException e) {
        throw new ModelException(
            "Enhancer "
                + enhancer.spec()
                + " fails on a test batch [N,3,"
                + SIZE
                + ","
                + SIZE
                + "]: "
                + Torch.firstLine(e),
            e);
      }
      checkFrames(out, enhancer.spec(), "Enhancer");
    }
  }

  private static void checkFrames(Tensor out, String spec, String what) {
    OutputContract.check(out, new long[] {FRAMES, 3, SIZE, SIZE}, spec, what, "a test batch", true);
    if (out.isnan().any().item_bool()) {
      throw new ModelException(
          what + " " + spec + " returns NaN for a neutral test batch: check its weights");
    }
  }
}
