package dev.facerender.model;

import static java.util.Objects.requireNonNull;

import dev.facerender.config.GraphExecutor;
import dev.facerender.config.Precision;
import java.io.Serializable;

/** How libtorch runs a model: its precision and TorchScript's graph executor. */
public record TorchOptions(Precision precision, GraphExecutor graphExecutor)
    implements Serializable {
  /** Strict float32 on the simple executor: the settings' defaults. */
  public static final TorchOptions DEFAULT = new TorchOptions(Precision.FP32, GraphExecutor.SIMPLE);

  public TorchOptions {
    requireNonNull(precision, "precision is null");
    requireNonNull(graphExecutor, "graphExecutor is null");
  }

  /** Sets the process-wide switches before a model loads or a batch runs. */
  public void apply() {
    graphExecutor.use();
    precision.applyMathMode();
  }
}
