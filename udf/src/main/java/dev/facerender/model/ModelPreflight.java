package dev.facerender.model;

import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Runs a model once on a tiny batch on the driver, so a model that breaks the contract stops the
 * run before any task starts, with what is wrong and how to fix it.
 */
public final class ModelPreflight {
  private static final int SIZE = 64;
  private static final int FRAMES = 2;

  private ModelPreflight() {}

  public static void check(FrameModel model, int coeffCount) {
    int c = coeffCount > 0 ? coeffCount : 70;
    try (PointerScope scope = new PointerScope()) {
      Tensor source = torch.full(new long[] {FRAMES, 3, SIZE, SIZE}, new Scalar(0.5));
      Tensor coeffs = torch.zeros(FRAMES, c);
      if (model.hasEncodeSource()) {
        source = model.encodeSource(source);
      }
      Tensor out;
      try {
        out = model.forward(source, coeffs);
      } catch (RuntimeException e) {
        throw new ModelException(
            "Model "
                + model.spec()
                + " fails on a test batch of "
                + FRAMES
                + " frames [N,3,"
                + SIZE
                + ","
                + SIZE
                + "] with coeffs [N,"
                + c
                + "]: "
                + Torch.firstLine(e)
                + ". forward(source, coeffs) must accept these shapes",
            e);
      }
      long[] shape = out.sizes().vec().get();
      long[] wanted = {FRAMES, 3, SIZE, SIZE};
      if (!Arrays.equals(shape, wanted)) {
        throw new ModelException(
            "Model "
                + model.spec()
                + " returns shape "
                + Arrays.toString(shape)
                + " for a test batch: forward must return [N,3,H,W] = "
                + Arrays.toString(wanted));
      }
      if (out.scalar_type().intern() != ScalarType.Float) {
        throw new ModelException(
            "Model "
                + model.spec()
                + " returns "
                + out.scalar_type().intern()
                + ": forward must return float32 frames in [0,1] (add .float())");
      }
      if (out.isnan().any().item_bool()) {
        throw new ModelException(
            "Model " + model.spec() + " returns NaN for a neutral test batch: check its weights");
      }
      double min = out.min().item_float();
      double max = out.max().item_float();
      if (min < -1e-3 || max > 1 + 1e-3) {
        throw new ModelException(
            "Model "
                + model.spec()
                + " returns values in ["
                + min
                + ", "
                + max
                + "]: frames must be in [0,1] (clamp, or map [-1,1] with (x + 1) / 2)");
      }
    }
  }
}
