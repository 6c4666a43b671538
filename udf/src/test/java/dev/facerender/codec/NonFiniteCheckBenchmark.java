package dev.facerender.codec;

import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * What the NaN/infinity check costs per batch, against quantizing the same batch and against
 * rendering it with the built-in warp: prints times and ratios. A benchmark, not a test; run it
 * under the build lock (docs/performance.md has the command).
 */
public final class NonFiniteCheckBenchmark {
  private NonFiniteCheckBenchmark() {}

  public static void main(String[] args) {
    int batch = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int side = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 40;
    try (FrameModel warp = Models.load("builtin:warp")) {
      long check = 0;
      long quantize = 0;
      long render = 0;
      for (int round = -5; round < rounds; round++) {
        try (PointerScope scope = new PointerScope()) {
          Tensor source = torch.rand(1, 3, side, side).expand(batch, 3, side, side);
          Tensor coeffs = torch.rand(batch, 70).mul(new org.bytedeco.pytorch.Scalar(0.2));
          long t0 = System.nanoTime();
          Tensor frames = warp.forward(source, coeffs, null);
          frames.sum().item_float();
          long t1 = System.nanoTime();
          boolean[] bad = TensorFrames.nonFinite(frames);
          long t2 = System.nanoTime();
          TensorFrames.toFrameBytes(frames, true);
          long t3 = System.nanoTime();
          if (bad.length != batch) {
            throw new IllegalStateException("one flag per frame expected");
          }
          if (round >= 0) {
            render += t1 - t0;
            check += t2 - t1;
            quantize += t3 - t2;
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "batch %d x %dpx, %d rounds: check %.3f ms, quantize %.3f ms, warp render %.3f ms;"
              + " check/quantize %.3f, check/(render+quantize) %.4f%n",
          batch,
          side,
          rounds,
          check / 1e6 / rounds,
          quantize / 1e6 / rounds,
          render / 1e6 / rounds,
          check / (double) quantize,
          check / (double) (render + quantize));
    }
  }
}
