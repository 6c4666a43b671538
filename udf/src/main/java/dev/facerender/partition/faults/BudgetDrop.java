package dev.facerender.partition.faults;

import dev.facerender.device.CpuDevice;
import dev.facerender.device.Device;

/**
 * Fault injection ({@code --inject-cpu-memory}): once a task has started {@code after} batch
 * attempts, the CPU's fixed budget drops to {@code bytes}, as when another tenant of the machine
 * takes memory mid-run. Batches planned for the old budget then fail with the CPU allocator's OOM
 * and take the real split-retry path. The device is the executor's, so the lower budget stays for
 * the rest of its life (later tasks and runs in the same JVM plan against it). Per task; not
 * thread-safe (a task's batches run one at a time on its render stage).
 */
final class BudgetDrop implements BatchFaults {
  private final CpuDevice device;
  private final long bytes;
  private final int after;
  private int started;

  BudgetDrop(Device device, long bytes, int after) {
    if (!(device instanceof CpuDevice cpu)) {
      throw new IllegalArgumentException(
          "--inject-cpu-memory lowers the CPU's budget, but this task renders on " + device.id());
    }
    this.device = cpu;
    this.bytes = bytes;
    this.after = after;
  }

  @Override
  public void check(int frames, long pixels) {
    if (started++ == after) {
      device.lowerBudget(bytes);
    }
  }
}
