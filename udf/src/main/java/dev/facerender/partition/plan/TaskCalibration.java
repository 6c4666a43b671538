package dev.facerender.partition.plan;

import dev.facerender.batch.BatchSizer;
import dev.facerender.batch.Calibration;
import dev.facerender.batch.CalibrationBudget;
import dev.facerender.batch.CalibrationStore;
import dev.facerender.batch.Calibrator;
import dev.facerender.device.Device;
import dev.facerender.device.DeviceKind;
import dev.facerender.model.BuiltinModels;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.render.BatchRenderer;
import dev.facerender.partition.render.RendererProbe;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.runtime.DeviceState;
import dev.facerender.runtime.ShortLivedThread;
import java.util.List;
import java.util.concurrent.locks.Lock;
import org.bytedeco.pytorch.Tensor;

/**
 * Where a task's calibration comes from: this executor's (its {@link DeviceState}), one kept in the
 * calibration folder, or a new measure on the device alone, within what the job can repay.
 */
public final class TaskCalibration {
  /**
   * A calibration, where it came from ({@code measured} or {@code cached}) and what measuring it
   * cost this task (0 when it did not measure).
   */
  record Found(Calibration calibration, String source, long nanos) {}

  private final RenderSettings settings;
  private final DeviceState state;
  private final Device device;
  private final long taskId;
  private final long jobFrames;
  private final CalibrationStore store;

  TaskCalibration(RenderSettings settings, DeviceState state, long taskId, long jobFrames) {
    this.settings = settings;
    this.state = state;
    this.device = state.device();
    this.taskId = taskId;
    this.jobFrames = jobFrames;
    // A simulated GPU is a model of a device: measuring it again is cheap and always current.
    this.store =
        CalibrationStore.at(
            device.kind() == DeviceKind.SIMULATED_GPU
                ? "none"
                : settings.sizing().calibrationCache());
  }

  /**
   * The calibration for the frame size of {@code samples} (the task's first frames of that size),
   * up to {@code cap} frames a batch; a measure runs on those frames and keeps their pixels as
   * output.
   */
  Found find(BatchRenderer renderer, List<PendingFrame> samples, int cap) {
    PendingFrame sample = samples.get(0);
    String key =
        String.join(
            "|",
            settings.network().model(),
            settings.network().enhancer(),
            device.id(),
            sample.source().width() + "x" + sample.source().height(),
            Integer.toString(cap),
            Integer.toString(sample.coeffs().length),
            settings.network().torch().precision().toString(),
            settings.network().torch().graphExecutor().toString());
    String[] source = {"cached"};
    long start = System.nanoTime();
    Calibration calibration =
        state.calibration(
            key,
            k -> {
              String stored = storeKey(k);
              // What a small job could repay is no measure for a larger one's plan: kept for jobs
              // of its size only.
              String forThisJob = stored + "|job=" + jobFrames;
              return store
                  .load(stored)
                  .or(() -> store.load(forThisJob))
                  .orElseGet(
                      () -> {
                        source[0] = "measured";
                        CalibrationBudget time = calibrationTime();
                        // Its OpenMP pool ends with it: the task keeps one, its render thread's.
                        Calibration measured =
                            ShortLivedThread.call(
                                "facerender-calibrate-" + taskId,
                                () -> calibrate(renderer, samples, cap, time));
                        store.save(time.shortened(measured) ? forThisJob : stored, measured);
                        return measured;
                      });
            });
    long calibrationNanos = source[0].equals("measured") ? System.nanoTime() - start : 0;
    return new Found(calibration, source[0], calibrationNanos);
  }

  /**
   * Calibration's time: the cap, and on a CPU what the job can repay. A CPU plan stays within the
   * measured sizes unless speed rises ({@link BatchSizer}), so fewer sizes cost at most speed; a
   * GPU's plan takes its memory limit from the sizes measured around it, which a short calibration
   * would guess past (the simulated GPU's high level then planned 96 frames where 73 fit).
   */
  private CalibrationBudget calibrationTime() {
    return new CalibrationBudget(
        (long) (settings.sizing().calibrationSeconds() * 1e9),
        device.kind() == DeviceKind.CPU ? jobFrames : -1,
        settings.slots().concurrentTasks());
  }

  /**
   * What kind of device measured: the CPU by its cores (its memory figure is a share of what is
   * free now, which changes from run to run), a GPU by its capacity.
   */
  private String deviceClass() {
    return device.kind() == DeviceKind.CPU
        ? "cores=" + Runtime.getRuntime().availableProcessors()
        : "GiB=" + (device.totalBytes() >> 30);
  }

  /**
   * What a kept calibration must match besides the executor's key: the model's code, the device's
   * size, the threads and task slots that share its cores, how it was measured, the precision and
   * graph executor it ran in, and the libtorch build.
   */
  private String storeKey(String key) {
    return String.join(
        "|",
        key,
        BuiltinModels.sourceDigest(settings.network().model()),
        BuiltinModels.sourceDigest(settings.network().enhancer()),
        deviceClass(),
        "threads=" + settings.effectiveTorchThreads(),
        "tasks=" + settings.slots().concurrentTasks(),
        "calibrator=" + Calibrator.METHOD,
        "libtorch=" + Tensor.class.getPackage().getImplementationVersion());
  }

  /**
   * Calibrates alone on the device: the write lock keeps every other batch of this JVM off it, so
   * the peaks are this model's alone (measured against what was allocated before each run).
   */
  private Calibration calibrate(
      BatchRenderer renderer, List<PendingFrame> samples, int cap, CalibrationBudget time) {
    Lock exclusive = state.lock().writeLock();
    exclusive.lock();
    try {
      // The budget the plan will size against, so that the sizes calibration bisects around
      // its limit are the ones the plan chooses between.
      long budget =
          BatchSizer.taskBudget(
              device.plannableBytes(),
              settings.sizing().effectiveMemoryFraction(),
              state.budget().heldByOthers(taskId),
              settings.slots().tasksPerDevice());
      return measure(renderer, samples, cap, budget, time);
    } finally {
      exclusive.unlock();
    }
  }

  /** Calibrates {@code renderer}'s model on copies of {@code sample}, up to {@code cap} frames. */
  public static Calibration measure(
      BatchRenderer renderer, PendingFrame sample, int cap, long budget) {
    return measure(
        renderer, List.of(sample), cap, budget, CalibrationBudget.capped(Long.MAX_VALUE));
  }

  /** On {@code samples} in turn, growing the batch only within {@code time}. */
  static Calibration measure(
      BatchRenderer renderer,
      List<PendingFrame> samples,
      int cap,
      long budget,
      CalibrationBudget time) {
    PendingFrame sample = samples.get(0);
    try {
      return Calibrator.calibrate(
          new RendererProbe(renderer, samples),
          cap,
          budget,
          estimatedBytesPerFrame((long) sample.source().width() * sample.source().height()),
          time);
    } finally {
      renderer.emptyCache();
    }
  }

  /**
   * Bytes per frame from tensor sizes alone, for devices that report no peaks: source view,
   * sampling grid and displaced grid (2 floats per pixel each), output and its 8-bit copies.
   */
  static long estimatedBytesPerFrame(long pixels) {
    return pixels * (3 * Float.BYTES * 2 + 2 * Float.BYTES * 3 + 3 * 2);
  }
}
