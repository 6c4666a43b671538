package dev.facerender.codec;

import java.util.ArrayList;
import java.util.List;
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
      return hwc.permute(2, 0, 1)
          .flip(0)
          .unsqueeze(0)
          .toType(ScalarType.Float)
          .div(new Scalar(255.0));
    }
  }

  /**
   * Interleaved 8-bit pixels of each frame of {@code frames} ({@code [N,3,H,W]} float RGB in
   * [0,1]), one array per frame (encoders read whole arrays, ignoring offsets), in BGR order when
   * {@code bgr} (for Java2D encoders) or RGB otherwise.
   */
  public static List<byte[]> toFrameBytes(Tensor frames, boolean bgr) {
    Tensor quantized = quantize(frames, bgr);
    // Quantized on the device: a quarter of the float bytes cross to the host.
    Tensor ordered = quantized.is_cpu() ? quantized : quantized.cpu();
    int n = Math.toIntExact(ordered.size(0));
    int frameBytes = Math.toIntExact(ordered.numel() / Math.max(1, n));
    BytePointer data = ordered.data_ptr_byte();
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] frame = new byte[frameBytes];
      data.position((long) i * frameBytes).get(frame);
      out.add(frame);
    }
    return out;
  }

  /**
   * Which frames of {@code frames} ({@code [N,...]} float) hold a NaN or an infinity. One sum per
   * frame: NaN and infinities survive a sum, and frames in [0,1] cannot overflow it, so the check
   * costs one read of the batch and N floats to the host; quantizing would silently turn NaN into
   * 0, a black pixel.
   */
  public static boolean[] nonFinite(Tensor frames) {
    int n = Math.toIntExact(frames.size(0));
    Tensor sums = frames.flatten(1, -1).sum(1);
    Tensor host = (sums.is_cpu() ? sums : sums.cpu()).contiguous();
    float[] values = new float[n];
    host.data_ptr_float().get(values);
    boolean[] bad = new boolean[n];
    for (int i = 0; i < n; i++) {
      bad[i] = !Float.isFinite(values[i]);
    }
    return bad;
  }

  private static Tensor quantize(Tensor frames, boolean bgr) {
    Tensor quantized =
        frames
            .mul(new Scalar(255.0))
            .round()
            .clamp(new ScalarOptional(new Scalar(0.0)), new ScalarOptional(new Scalar(255.0)))
            .toType(ScalarType.Byte)
            .permute(0, 2, 3, 1);
    return (bgr ? quantized.flip(3) : quantized).contiguous();
  }
}
