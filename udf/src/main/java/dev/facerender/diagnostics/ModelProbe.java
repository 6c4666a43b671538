package dev.facerender.diagnostics;

import dev.facerender.codec.RgbImage;
import dev.facerender.config.ConfigException;
import dev.facerender.device.CpuDevice;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import dev.facerender.model.Torch;
import dev.facerender.partition.faults.BatchFaults;
import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.render.BatchRenderer;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.retry.OutOfMemoryErrors;
import dev.facerender.runtime.DeviceState;
import java.util.ArrayList;
import java.util.List;

/**
 * A model measured on the CPU under a fixed budget ({@code --cpu-memory}), outside any plan: the
 * speed and peak of one batch size over a minimum of frames and seconds, and the largest batch that
 * fits, found by rendering. Each measurement runs on a CPU device of its own, so a verdict comes
 * from the batch's own measured peak against the budget, never from a prediction of earlier peaks
 * or the planner's arithmetic. Frames are copies of one seeded frame. The caller owns the probe;
 * {@link #close} frees the model and the source.
 */
public final class ModelProbe implements AutoCloseable {
  /** Seed of the driving coefficients every measurement renders. */
  public static final long SEED = 7;

  /**
   * One batch size, measured: frames rendered after an untimed warm-up batch, their wall time, the
   * largest peak of a batch, the OOMs met. Valid only when both minimums were met without an OOM.
   */
  public record Point(
      int batch,
      long frames,
      double seconds,
      double framesPerSecond,
      long peakBytes,
      int ooms,
      boolean valid,
      String note) {
    /** A point with frames/s from its frames and seconds (0 when nothing was rendered). */
    public static Point of(
        int batch,
        long frames,
        double seconds,
        long peakBytes,
        int ooms,
        boolean valid,
        String note) {
      double speed = frames > 0 ? frames / Math.max(1e-9, seconds) : 0;
      return new Point(batch, frames, seconds, speed, peakBytes, ooms, valid, note);
    }
  }

  /** One try of a batch size in the search: whether it fitted, and its peak. */
  public record Trial(int batch, boolean fits, long peakBytes) {}

  /** The largest batch that fitted every try (0: not even one frame), and every try. */
  public record Fit(int largest, List<Trial> trials) {}

  private final RenderSettings settings;
  private final FrameModel model;
  private final ClipSource source;
  private final PendingFrame frame;

  private ModelProbe(RenderSettings settings, RgbImage sample) {
    if (settings.sizing().cpuMemoryBytes() <= 0 || settings.sizing().simulateGpuBytes() > 0) {
      throw new ConfigException(
          "a model probe measures against a fixed CPU budget: set --cpu-memory");
    }
    this.settings = settings;
    Torch.configureThreads(settings.effectiveTorchThreads());
    this.model = Models.load(settings.network().model(), "cpu", settings.network().torch());
    int coeffs = settings.network().coeffCount() > 0 ? settings.network().coeffCount() : 70;
    this.source =
        new ClipSource("probe", sample, model.takesSourceCoeffs() ? new float[coeffs] : null);
    float[] window = ThroughputProbe.motion(coeffs * settings.network().windowWidth(), SEED);
    this.frame = new PendingFrame("probe", 0, window, source);
  }

  /** Loads {@code settings.network().model()} for measurements of {@code sample}-sized frames. */
  public static ModelProbe open(RenderSettings settings, RgbImage sample) {
    return new ModelProbe(settings, sample);
  }

  private BatchRenderer renderer() {
    CpuDevice device =
        new CpuDevice(settings.sizing().cpuMemoryFraction(), settings.sizing().cpuMemoryBytes());
    return new BatchRenderer(model, null, new DeviceState(device), settings, BatchFaults.NONE);
  }

  /**
   * Renders batches of {@code batch} frames back to back, after one untimed batch, until at least
   * {@code minFrames} frames and {@code minSeconds} seconds (MLPerf's offline scenario: a minimum
   * count and a minimum duration, both). The first OOM ends the point, invalid.
   */
  public Point point(int batch, long minFrames, double minSeconds) {
    long peak = -1;
    try (BatchRenderer renderer = renderer()) {
      peak = renderer.calibrationRun(frame, batch)[0];
      long frames = 0;
      long start = System.nanoTime();
      double seconds = 0;
      while (frames < minFrames || seconds < minSeconds) {
        peak = Math.max(peak, renderer.calibrationRun(frame, batch)[0]);
        frames += batch;
        seconds = (System.nanoTime() - start) / 1e9;
      }
      return Point.of(batch, frames, seconds, peak, 0, true, "");
    } catch (RuntimeException e) {
      if (!OutOfMemoryErrors.isOutOfMemory(e)) {
        throw e;
      }
      return Point.of(batch, 0, 0, peak, 1, false, "out of memory: " + Torch.firstLine(e));
    }
  }

  /**
   * The largest batch up to {@code cap} whose every one of {@code tries} runs stayed within the
   * budget: doubling from 1 until a size fails, then searching between the last size that fitted
   * and the first that did not. The search's first two guesses are where the line through the two
   * largest fitting peaks meets the budget (a size over it fails only after most of its work, so
   * each failed guess is the search's dearest step); then it bisects. The verdicts are still each
   * size's own run against the budget: the line only chooses which size to try.
   */
  public Fit largestFit(int cap, int tries) {
    List<Trial> trials = new ArrayList<>();
    int fits = 0;
    int fails = cap + 1;
    for (int size = 1; size <= cap; size = Math.min(cap, size * 2)) {
      if (fitsEveryTry(size, tries, trials)) {
        fits = size;
      } else {
        fails = size;
        break;
      }
      if (size == cap) {
        break;
      }
    }
    int guesses = 0;
    while (fails - fits > 1 && fits < cap) {
      // The line through the newest peaks for the first two tries, bisection after them: a line
      // that keeps guessing low would otherwise walk up one size at a time.
      int middle = guesses++ < 2 ? lineGuess(trials, fits, fails) : (fits + fails) >>> 1;
      if (fitsEveryTry(middle, tries, trials)) {
        fits = middle;
      } else {
        fails = middle;
      }
    }
    return new Fit(fits, trials);
  }

  /**
   * The size strictly between {@code fits} and {@code fails} nearest the budget on the line through
   * the peaks of the two largest fitting sizes; the midpoint without two such peaks.
   */
  private int lineGuess(List<Trial> trials, int fits, int fails) {
    int middle = (fits + fails) >>> 1;
    List<Trial> fitted =
        trials.stream().filter(t -> t.fits() && t.peakBytes() > 0).distinct().toList();
    if (fitted.size() < 2 || fails - fits <= 1) {
      return middle;
    }
    Trial a = fitted.get(fitted.size() - 2);
    Trial b = fitted.get(fitted.size() - 1);
    if (b.batch() <= a.batch() || b.peakBytes() <= a.peakBytes()) {
      return middle;
    }
    double perFrame = (double) (b.peakBytes() - a.peakBytes()) / (b.batch() - a.batch());
    long atBudget =
        b.batch() + (long) ((settings.sizing().cpuMemoryBytes() - b.peakBytes()) / perFrame);
    return (int) Math.max(fits + 1, Math.min(fails - 1, atBudget));
  }

  private boolean fitsEveryTry(int size, int tries, List<Trial> trials) {
    for (int i = 0; i < tries; i++) {
      // A device of its own per try: no earlier peak predicts this one.
      try (BatchRenderer renderer = renderer()) {
        trials.add(new Trial(size, true, renderer.calibrationRun(frame, size)[0]));
      } catch (RuntimeException e) {
        if (!OutOfMemoryErrors.isOutOfMemory(e)) {
          throw e;
        }
        trials.add(new Trial(size, false, -1));
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    source.release();
    model.close();
  }
}
