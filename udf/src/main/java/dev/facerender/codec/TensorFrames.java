package dev.facerender.codec;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Byte images to model tensors and back, all inside libtorch: no per-pixel Java loops. Call inside
 * a {@code PointerScope}; the returned tensors belong to it.
 */
public final class TensorFrames {
  private TensorFrames() {}

  /** {@code [1,3,H,W]} float RGB in [0,1] from a BGR image. */
  public static Tensor toTensor(RgbImage image) {
    try (BytePointer pixels = new BytePointer(image.bgr());
        TensorOptions bytes = new TensorOptions(ScalarType.Byte)) {
      Tensor hwc =
          torch.from_blob(pixels, new long[] {image.height(), image.width(), 3}, bytes).clone();
      return hwc.permute(2, 0, 1).flip(0).unsqueeze(0).toType(ScalarType.Float).div(new Scalar(255.0));
    }
  }

  /**
   * Interleaved 8-bit pixels of {@code frames} ({@code [N,3,H,W]} float RGB in [0,1]), frame after
   * frame, in BGR order when {@code bgr} (for Java2D encoders) or RGB otherwise.
   */
  public static byte[] toBytes(Tensor frames, boolean bgr) {
    Tensor quantized =
        frames
            .mul(new Scalar(255.0))
            .round()
            .clamp(new ScalarOptional(new Scalar(0.0)), new ScalarOptional(new Scalar(255.0)))
            .toType(ScalarType.Byte)
            .permute(0, 2, 3, 1);
    Tensor ordered = (bgr ? quantized.flip(3) : quantized).contiguous();
    byte[] out = new byte[Math.toIntExact(ordered.numel())];
    ordered.data_ptr_byte().get(out);
    return out;
  }
}
