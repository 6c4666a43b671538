package dev.facerender.config;

import java.util.Locale;
import org.bytedeco.pytorch.global.torch;

/**
 * TorchScript's graph executor, a process-wide libtorch switch read when a method first runs.
 * {@code profiling} (libtorch's default) runs the first call of each input shape instrumented and
 * then optimises for the shapes it saw; on CUDA that optimisation compiles fused kernels with NVRTC
 * per specialisation (fusion strategy STATIC 2 then DYNAMIC 10), so a batch of a new size costs
 * tens to hundreds of milliseconds in the middle of a render and calibration's first calls time the
 * compiler. {@code simple} runs the graph as written (libtorch's simple executor, no fuser). The
 * built-in models spend their time in grid sampling and convolutions, which no fuser touches; on
 * this CPU the settled times of the warp were the same under both (docs/gpu.md, "Graph executor").
 */
public enum GraphExecutor {
  SIMPLE,
  PROFILING;

  public static GraphExecutor parse(String value) {
    try {
      return valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Unknown graph executor '" + value + "': use simple or profiling", e);
    }
  }

  /**
   * Makes this the executor of every method that has not run yet. Methods that already ran keep
   * theirs (libtorch creates a method's executor on its first call): set it before loading.
   */
  public void use() {
    synchronized (GraphExecutor.class) {
      // The executor mode must stay on: off selects the legacy executor, whose CUDA fuser compiles
      // kernels with NVRTC and failed on an H200 ("CUDA driver error: invalid argument",
      // docs/gpu.md). On, with profiling off, libtorch runs its simple executor: no fusion.
      torch.getExecutorMode().put(true);
      torch.getProfilingMode().put(this == PROFILING);
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
