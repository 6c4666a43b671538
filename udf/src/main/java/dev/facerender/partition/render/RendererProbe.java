package dev.facerender.partition.render;

import dev.facerender.batch.Calibrator;
import dev.facerender.partition.frame.PendingFrame;

/**
 * Calibration's view of a task's renderer: runs copies of one sample frame, synchronises with the
 * device and reads its clock. A simulated GPU's clock advances by the modelled time of each batch
 * it ran (its wall time says nothing about a GPU); every other device's is the wall clock.
 */
public final class RendererProbe implements Calibrator.Probe {
  private final BatchRenderer renderer;
  private final PendingFrame sample;
  private long modelledNanos;

  public RendererProbe(BatchRenderer renderer, PendingFrame sample) {
    this.renderer = renderer;
    this.sample = sample;
  }

  @Override
  public long run(int size) {
    long[] run = renderer.calibrationRun(sample, size);
    modelledNanos += run[1];
    return run[0];
  }

  @Override
  public void synchronize() {
    renderer.synchronize();
  }

  @Override
  public long nanoTime() {
    return renderer.modelsTime() ? modelledNanos : System.nanoTime();
  }

  /**
   * Each size starts from a cache of whole free segments, as on a fresh device: the growing sizes
   * would otherwise carve each other's segments. Outside the timed runs; calibration runs alone.
   */
  @Override
  public void beforeSize(int size) {
    renderer.emptyCache();
  }
}
