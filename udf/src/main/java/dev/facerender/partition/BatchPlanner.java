package dev.facerender.partition;

import dev.facerender.batch.BatchPlan;
import dev.facerender.batch.BatchSizer;
import dev.facerender.batch.Calibration;
import dev.facerender.batch.Calibrator;
import dev.facerender.device.Device;
import dev.facerender.device.DeviceBudget;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plans a task's batches: calibrates the model on the device once per executor (per frame size and
 * cap), then sizes from the device budget, and leases what it planned.
 */
final class BatchPlanner {
  private static final Map<String, Calibration> CALIBRATIONS = new ConcurrentHashMap<>();

  /** What planning decided, with what it was decided from. */
  record Planned(BatchPlan plan, Calibration calibration, long freeBytes, long totalBytes) {}

  private final RenderSettings settings;
  private final Device device;
  private final long taskId;

  BatchPlanner(RenderSettings settings, Device device, long taskId) {
    this.settings = settings;
    this.device = device;
    this.taskId = taskId;
  }

  Planned plan(BatchRenderer renderer, PendingFrame sample) {
    DeviceBudget budget = DeviceBudget.of(device);
    long free = budget.capacity();
    if (settings.batchSize() > 0) {
      BatchPlan fixed =
          new BatchPlan(settings.batchSize(), settings.batchSize(), -1, "fixed by --batch-size");
      return new Planned(fixed, null, free, device.totalBytes());
    }
    long pixels = (long) sample.source().width() * sample.source().height();
    int cap = settings.effectiveMaxBatch();
    String key =
        String.join(
            "|",
            settings.model(),
            device.id(),
            Long.toString(pixels),
            Integer.toString(cap),
            Integer.toString(sample.coeffs().length));
    Calibration calibration =
        CALIBRATIONS.computeIfAbsent(key, k -> calibrate(renderer, sample, cap, free));
    BatchSizer.Input input =
        new BatchSizer.Input(
            free,
            device.totalBytes(),
            budget.heldByOthers(taskId),
            settings.concurrentTasks(),
            settings.effectiveMemoryFraction(),
            calibration.perFrameBytes(),
            calibration.fixedBytes(),
            calibration.smallestOom() > 0 ? Math.min(cap, calibration.smallestOom() - 1) : cap,
            calibration.points());
    BatchPlan plan = BatchSizer.plan(input);
    budget.lease(taskId, calibration.fixedBytes() + calibration.perFrameBytes() * plan.batch());
    return new Planned(plan, calibration, free, device.totalBytes());
  }

  void release() {
    DeviceBudget.of(device).release(taskId);
  }

  private Calibration calibrate(BatchRenderer renderer, PendingFrame sample, int cap, long free) {
    BatchRenderer.DEVICE_LOCK.writeLock().lock();
    try {
      return measure(renderer, sample, cap, (long) (free * settings.effectiveMemoryFraction()));
    } finally {
      BatchRenderer.DEVICE_LOCK.writeLock().unlock();
    }
  }

  /** Calibrates {@code renderer}'s model on copies of {@code sample}, up to {@code cap} frames. */
  static Calibration measure(BatchRenderer renderer, PendingFrame sample, int cap, long budget) {
    long pixels = (long) sample.source().width() * sample.source().height();
    return Calibrator.calibrate(
        size -> {
          long[] run = renderer.calibrationRun(sample, size);
          return new Calibrator.Measurement(run[0], run[1]);
        },
        cap,
        budget,
        estimatedBytesPerFrame(pixels));
  }

  /**
   * Bytes per frame from tensor sizes alone, for devices that report no peaks: source view,
   * sampling grid and displaced grid (2 floats per pixel each), output and its 8-bit copies.
   */
  static long estimatedBytesPerFrame(long pixels) {
    return pixels * (3 * Float.BYTES * 2 + 2 * Float.BYTES * 3 + 3 * 2);
  }
}
