package dev.facerender.partition.render;

import dev.facerender.batch.Calibrator;
import dev.facerender.partition.frame.PendingFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * Calibration's view of a task's renderer: runs the task's own next frames (the samples, in turn,
 * from the first again once each was drawn), synchronises with the device and reads its clock. The
 * frames a run draws are kept as output, so calibration renders what the task would render anyway.
 * A simulated GPU's clock advances by the modelled time of each batch it ran (its wall time says
 * nothing about a GPU); every other device's is the wall clock.
 */
public final class RendererProbe implements Calibrator.Probe {
  private final BatchRenderer renderer;
  private final List<PendingFrame> samples;
  private int next;
  private long modelledNanos;

  /** {@code samples}: frames of one size, in the task's order (at least one). */
  public RendererProbe(BatchRenderer renderer, List<PendingFrame> samples) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("calibration needs at least one sample frame");
    }
    this.renderer = renderer;
    this.samples = List.copyOf(samples);
  }

  @Override
  public long run(int size) {
    List<PendingFrame> frames = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      frames.add(samples.get(next));
      next = (next + 1) % samples.size();
    }
    long[] run = renderer.calibrationRun(frames);
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
