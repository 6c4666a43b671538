package dev.facerender.model;

import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * What TorchScript's graph executor costs per new input shape: the first five calls of each batch
 * size and the settled time, in one executor mode per JVM ({@code profiling}: libtorch's default;
 * {@code legacy}: profiling off; {@code simple}: no graph optimisation). A benchmark, not a test:
 * docs/gpu.md has the command and the figures.
 */
public final class ExecutorModeBenchmark {
  private ExecutorModeBenchmark() {}

  public static void main(String[] args) {
    String mode = args.length > 0 ? args[0] : "profiling";
    String spec = args.length > 1 ? args[1] : BuiltinModels.WARP;
    int side = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int coeffs = args.length > 3 ? Integer.parseInt(args[3]) : 70;
    Torch.configureThreads(2);
    switch (mode) {
      case "legacy" -> torch.getProfilingMode().put(false);
      case "simple" -> torch.getExecutorMode().put(false);
      case "profiling" -> {}
      default -> throw new IllegalArgumentException("mode: profiling, legacy or simple");
    }
    System.out.printf(
        Locale.ROOT,
        "%s %s %dpx: profiled runs %d, bailout depth %d%n",
        mode,
        spec,
        side,
        torch.getNumProfiledRuns().get(),
        torch.getBailoutDepth());
    try (FrameModel model = Models.load(spec)) {
      for (int batch : new int[] {1, 2, 4, 8, 3}) {
        StringBuilder line = new StringBuilder();
        double settled = Double.MAX_VALUE;
        for (int call = 1; call <= 12; call++) {
          try (PointerScope scope = new PointerScope();
              InferenceMode inference = new InferenceMode()) {
            Tensor source = torch.rand(1, 3, side, side).expand(batch, 3, side, side);
            Tensor c = torch.rand(batch, coeffs).mul(new Scalar(0.2));
            long t0 = System.nanoTime();
            model
                .forward(source, c, model.takesSourceCoeffs() ? torch.zeros(batch, coeffs) : null)
                .sum()
                .item_float();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (call <= 5) {
              line.append(String.format(Locale.ROOT, " %.1f", ms));
            } else {
              settled = Math.min(settled, ms);
            }
          }
        }
        System.out.printf(
            Locale.ROOT, "  batch %d: calls 1-5 ms%s; settled %.2f ms%n", batch, line, settled);
      }
    }
  }
}
