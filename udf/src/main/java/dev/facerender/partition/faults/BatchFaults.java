package dev.facerender.partition.faults;

import dev.facerender.device.Device;
import dev.facerender.partition.task.RenderSettings;

/**
 * Faults a batch can meet before it renders: none in production, injected OOMs in rehearsals
 * ({@link OomInjector}), a CPU budget lowered mid-run ({@link BudgetDrop}), or whatever a test
 * needs (an OOM above N frames at one frame size).
 */
@FunctionalInterface
public interface BatchFaults {
  BatchFaults NONE = (frames, pixels) -> {};

  /** Throws (an OOM, say) when a batch of {@code frames} frames of {@code pixels} must fail. */
  void check(int frames, long pixels);

  /** These faults, then {@code next}'s. */
  default BatchFaults andThen(BatchFaults next) {
    return (frames, pixels) -> {
      check(frames, pixels);
      next.check(frames, pixels);
    };
  }

  /** What {@code settings} inject into a task's batches: OOMs, a lowered CPU budget, or none. */
  static BatchFaults injected(RenderSettings settings, int partition, Device device) {
    BatchFaults faults =
        new OomInjector(
            settings.faults().oomRate(),
            settings.faults().oomAbove(),
            settings.faults().seed(),
            partition);
    if (settings.faults().cpuMemoryBytes() > 0) {
      // The drop first: the batch that meets it already runs against the lower budget.
      faults =
          new BudgetDrop(
                  device, settings.faults().cpuMemoryBytes(), settings.faults().cpuMemoryAfter())
              .andThen(faults);
    }
    return faults;
  }
}
