package dev.facerender.config;

import static dev.facerender.config.ConfigKey.declare;

import java.util.List;

/** How libtorch runs a model: its arithmetic and TorchScript's graph executor. */
public final class TorchConf {
  public static final ConfigKey<Precision> PRECISION =
      declare(
          "precision",
          "--precision",
          "Arithmetic of the model: tf32 (tensor-core convolutions and matrix products on"
              + " Ampere and later GPUs, as PyTorch's convolutions by default; the CPU computes in"
              + " fp32 either way), fp32 (strict), bf16 or fp16 (autocast: convolutions and"
              + " matrix products in 16 bits; 'benchmark --precisions' compares frames with fp32)",
          "enum",
          // Measured on an H200 (docs/gpu.md): the reference network at tf32 ran 6.5x its
          // strict-fp32 speed, worst frame 54.1 dB from fp32's; on the CPU the two are identical.
          "tf32",
          Precision::parse,
          p -> true,
          "fp32, tf32, bf16 or fp16");
  public static final ConfigKey<GraphExecutor> GRAPH_EXECUTOR =
      declare(
          "graphExecutor",
          "--graph-executor",
          "TorchScript's executor: simple (runs the graph as written: no per-shape profiling or"
              + " kernel compilation, so every batch size costs the same from its first call) or"
              + " profiling (libtorch's default: profiles each new input shape, then may compile"
              + " fused kernels for it on a GPU)",
          "enum",
          "simple",
          GraphExecutor::parse,
          e -> true,
          "simple or profiling");

  public static final List<ConfigKey<?>> ALL = List.of(PRECISION, GRAPH_EXECUTOR);

  private TorchConf() {}
}
