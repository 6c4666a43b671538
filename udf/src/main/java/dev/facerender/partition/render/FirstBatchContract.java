package dev.facerender.partition.render;

import dev.facerender.model.FrameEnhancer;
import dev.facerender.model.FrameModel;
import dev.facerender.model.ModelException;
import dev.facerender.model.Torch;
import dev.facerender.retry.OutOfMemoryErrors;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Tensor;

/**
 * The output contract's checks a task's first batch makes (the local engine's preflight runs no
 * test batch): its model calls' errors said as the model breaking its contract, and its values
 * checked. Later batches check shapes only.
 */
final class FirstBatchContract {
  private final FrameModel model;
  private final FrameEnhancer enhancer;

  /** Whether a batch passed the value check. Racing threads may both check: harmless. */
  private volatile boolean checked;

  /** {@code enhancer} may be null. */
  FirstBatchContract(FrameModel model, FrameEnhancer enhancer) {
    this.model = model;
    this.enhancer = enhancer;
  }

  /** Whether the batch starting now checks values (no batch has passed yet). */
  boolean pending() {
    return !checked;
  }

  /** A batch passed the checks. */
  void passed() {
    checked = true;
  }

  /**
   * Runs a model call; on the first batch ({@code first}) an error other than running out of memory
   * is the model breaking its contract, said as such.
   */
  Tensor call(boolean first, int n, Supplier<Tensor> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      if (!first || OutOfMemoryErrors.isOutOfMemory(e) || e instanceof ModelException) {
        throw e;
      }
      throw new ModelException(
          "Model "
              + model.spec()
              + (enhancer == null ? "" : " (then " + enhancer.spec() + ")")
              + " fails on its first batch of "
              + n
              + " frames: "
              + Torch.firstLine(e)
              + ". forward(source, coeffs) must accept [N,3,H,W] sources with [N,C] coeffs, or"
              + " [N,C,window] with --window-radius (SadTalker-style models need 13)",
          e);
    }
  }
}
