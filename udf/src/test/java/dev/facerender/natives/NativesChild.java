package dev.facerender.natives;

import dev.facerender.model.BuiltinModels;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A fresh JVM's first use of libtorch. {@code model}: as Facerender starts, loading the built-in
 * model and rendering a frame. {@code presets}: the presets' own loading order, touching a tensor
 * before anything of Facerender runs.
 */
public final class NativesChild {
  private NativesChild() {}

  public static void main(String[] args) {
    if (args[0].equals("presets")) {
      try (Tensor zeros = torch.zeros(1)) {
        System.out.println("presets loaded " + zeros.numel());
      }
      return;
    }
    try (FrameModel model = Models.load(BuiltinModels.WARP);
        PointerScope scope = new PointerScope()) {
      Tensor frame =
          model.forward(torch.rand(1, 3, 32, 32), torch.zeros(1, BuiltinModels.WARP_COEFFS), null);
      System.out.println("rendered " + Arrays.toString(frame.sizes().vec().get()));
      System.out.println("loaded " + TorchNatives.load());
    }
  }
}
