package dev.facerender.partition.plan;

import dev.facerender.batch.BatchPlan;
import dev.facerender.batch.BatchSizer;
import dev.facerender.batch.Calibration;
import dev.facerender.batch.HeapLimit;
import dev.facerender.device.Device;
import dev.facerender.device.DeviceBudget;
import dev.facerender.device.DeviceKind;
import dev.facerender.partition.frame.PendingFrame;
import dev.facerender.partition.render.BatchRenderer;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.runtime.DeviceState;
import java.util.List;
import java.util.concurrent.locks.Lock;

/**
 * Plans a task's batches for one frame size: takes the model's (and enhancer's) calibration on the
 * device ({@link TaskCalibration}: once per executor, kept across runs), then sizes from the
 * device's plannable bytes (free plus this JVM's cache), the other tasks' leases, the tasks sharing
 * the device and the heap, and leases what it planned.
 */
public final class BatchPlanner {
  /**
   * Share of the JVM heap all tasks' in-flight batches may hold; the rest is Spark's (rows, Parquet
   * buffers) and the collector's headroom.
   */
  static final double HEAP_SHARE = 0.4;

  /**
   * What planning decided, with what it was decided from; {@code calibrationSource} says where the
   * calibration came from ({@code measured}, {@code cached} or {@code none}) and {@code
   * calibrationNanos} what measuring it cost this task.
   */
  public record Planned(
      BatchPlan plan,
      Calibration calibration,
      long freeBytes,
      long totalBytes,
      String calibrationSource,
      long calibrationNanos) {}

  private final RenderSettings settings;
  private final DeviceState state;
  private final Device device;
  private final long taskId;
  private final long heapBytes;
  private final long jobFrames;
  private final TaskCalibration calibrations;

  /** {@code heapBytes}: the JVM's maximum heap ({@link Runtime#maxMemory}). */
  BatchPlanner(RenderSettings settings, DeviceState state, long taskId, long heapBytes) {
    this(settings, state, taskId, heapBytes, -1);
  }

  /**
   * As above, for a job of {@code jobFrames} frames (-1 unknown): no batch, calibrated or planned,
   * is larger than the job.
   */
  public BatchPlanner(
      RenderSettings settings, DeviceState state, long taskId, long heapBytes, long jobFrames) {
    this.jobFrames = jobFrames;
    this.settings = settings;
    this.state = state;
    this.device = state.device();
    this.taskId = taskId;
    this.heapBytes = heapBytes;
    this.calibrations = new TaskCalibration(settings, state, taskId, jobFrames);
  }

  /** Plans for the frame size of {@code samples}: the task's first frames of that size. */
  public Planned plan(BatchRenderer renderer, List<PendingFrame> samples) {
    HeapLimit heap = heapLimit(samples.get(0));
    if (settings.sizing().batchSize() > 0) {
      BatchPlan fixed =
          heap.bound(
              new BatchPlan(
                  settings.sizing().batchSize(),
                  settings.sizing().batchSize(),
                  -1,
                  "fixed by --batch-size"));
      return new Planned(fixed, null, device.plannableBytes(), device.totalBytes(), "none", 0);
    }
    int levelCap = Math.min(settings.sizing().effectiveMaxBatch(), heap.frames());
    // Sizes beyond the job's frames would be measured on copies and never rendered.
    int cap = jobFrames > 0 ? (int) Math.min(levelCap, jobFrames) : levelCap;
    TaskCalibration.Found found = calibrations.find(renderer, samples, cap);
    Calibration calibration = found.calibration();
    DeviceBudget budget = state.budget();
    // Planned with the device at rest: no batch of this JVM runs, so what its tasks use between
    // batches sits in the allocator's cache, counted in plannable bytes; the others' leases say
    // how much of that is theirs. Weights and other live tensors are in neither: counted once.
    Lock exclusive = state.lock().writeLock();
    exclusive.lock();
    try {
      long free = device.plannableBytes();
      BatchSizer.Input input =
          new BatchSizer.Input(
              free,
              device.totalBytes(),
              budget.heldByOthers(taskId),
              settings.slots().tasksPerDevice(),
              settings.sizing().effectiveMemoryFraction(),
              calibration.perFrameBytes(),
              calibration.fixedBytes(),
              calibration.smallestOom() > 0 ? Math.min(cap, calibration.smallestOom() - 1) : cap,
              calibration.points(),
              heap,
              settings.sizing().level().speedTolerance(),
              device.kind() == DeviceKind.CPU);
      BatchPlan plan = BatchSizer.plan(input);
      budget.lease(taskId, calibration.fixedBytes() + calibration.perFrameBytes() * plan.batch());
      return new Planned(
          plan, calibration, free, device.totalBytes(), found.source(), found.nanos());
    } finally {
      exclusive.unlock();
    }
  }

  public void release() {
    state.budget().release(taskId);
  }

  /**
   * What the heap holds per frame of a batch: its 8-bit pixels, the encoded bytes (at most about as
   * many) and the coefficients; {@code depth + 1} batches at once, in this task's share.
   */
  HeapLimit heapLimit(PendingFrame sample) {
    long pixels = (long) sample.source().width() * sample.source().height();
    long perFrame = pixels * 3 * 2 + (long) sample.coeffs().length * Float.BYTES;
    long budget = (long) (heapBytes * HEAP_SHARE / settings.slots().concurrentTasks());
    return new HeapLimit(budget, perFrame, settings.sizing().pipelineDepth() + 1);
  }
}
