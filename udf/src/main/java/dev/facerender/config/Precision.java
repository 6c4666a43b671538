package dev.facerender.config;

import java.util.Locale;
import org.bytedeco.pytorch.Context;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The arithmetic a model renders in. {@code fp32} is strict float32: libtorch itself lets cuDNN
 * convolutions use TF32 unless told otherwise, so a figure called fp32 would otherwise be TF32's.
 * {@code tf32} lets convolutions and matrix products round their inputs to TF32 on tensor cores
 * (Ampere and later; no effect on a CPU). {@code bf16} and {@code fp16} run the model under
 * libtorch's autocast: convolutions and matrix products in half precision, the ops autocast keeps
 * in float32 (softmax, norms, reductions) and the weights in float32; frames leave the model as
 * float32 in [0,1]. Casting the whole model instead left the warp's sampling grid in bf16: a
 * coordinate step of 1/128 is a pixel at 256 px, and the worst frame fell to 7 dB PSNR against fp32
 * (45.8 dB under autocast, docs/gpu.md).
 */
public enum Precision {
  FP32(ScalarType.Float, false),
  TF32(ScalarType.Float, true),
  BF16(ScalarType.BFloat16, false),
  FP16(ScalarType.Half, false);

  private final ScalarType scalarType;
  private final boolean tf32;

  Precision(ScalarType scalarType, boolean tf32) {
    this.scalarType = scalarType;
    this.tf32 = tf32;
  }

  public static Precision parse(String value) {
    try {
      return valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Unknown precision '" + value + "': use fp32, tf32, bf16 or fp16", e);
    }
  }

  /** The type autocast computes in; float32 for fp32 and tf32. */
  public ScalarType scalarType() {
    return scalarType;
  }

  /** Whether the model runs under autocast in a 16-bit type. */
  public boolean isHalf() {
    return scalarType != ScalarType.Float;
  }

  /**
   * Sets libtorch's process-wide TF32 switches for convolutions (cuDNN) and matrix products
   * (cuBLAS) to this precision's; every render thread calls it before a batch, so the last run's
   * choice never leaks into this one's.
   */
  public void applyMathMode() {
    Context context = torch.globalContext();
    if (context.allowTF32CuDNN() != tf32) {
      context.setAllowTF32CuDNN(tf32);
    }
    if (context.allowTF32CuBLAS() != tf32) {
      context.setAllowTF32CuBLAS(tf32);
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
