package dev.facerender.model;

import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * What a renderer's or enhancer's output must be: {@code [N,3,H,W]} float32 in {@code [0,1]}. The
 * driver's test batch ({@link ModelPreflight}) and a task's first real batch check it alike, so a
 * model that breaks it stops the run with the same message whichever engine found it.
 */
public final class OutputContract {
  private OutputContract() {}

  /**
   * Checks the shape against {@code wanted} and the type; with {@code values}, also the range (a
   * device-wide min and max, so once per task, not per batch). {@code what}: "Model" or "Enhancer";
   * {@code input}: the batch it was given, for the message.
   */
  public static void check(
      Tensor out, long[] wanted, String spec, String what, String input, boolean values) {
    long[] shape = out.sizes().vec().get();
    if (!Arrays.equals(shape, wanted)) {
      throw new ModelException(
          what
              + " "
              + spec
              + " returns shape "
              + Arrays.toString(shape)
              + " for "
              + input
              + ": forward must return [N,3,H,W] = "
              + Arrays.toString(wanted));
    }
    if (out.scalar_type().intern() != ScalarType.Float) {
      throw new ModelException(
          what
              + " "
              + spec
              + " returns "
              + out.scalar_type().intern()
              + ": forward must return float32 frames in [0,1] (add .float())");
    }
    if (values) {
      checkRange(out, spec, what);
    }
  }

  /** NaN is left to the caller: a real batch drops such frames one by one into errors/. */
  private static void checkRange(Tensor out, String spec, String what) {
    double min = out.min().item_float();
    double max = out.max().item_float();
    if (min < -1e-3 || max > 1 + 1e-3) {
      throw new ModelException(
          what
              + " "
              + spec
              + " returns values in ["
              + min
              + ", "
              + max
              + "]: frames must be in [0,1] (clamp, or map [-1,1] with (x + 1) / 2)");
    }
  }
}
