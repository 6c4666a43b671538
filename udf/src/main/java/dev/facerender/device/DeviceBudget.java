package dev.facerender.device;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bytes the tasks of one executor hold on one device. A task leases what it planned for and
 * sizes against what the others hold, so tasks sharing a GPU (task GPU amount below 1) never plan
 * more than the device has between them.
 */
public final class DeviceBudget {
  private static final Map<String, DeviceBudget> BUDGETS = new ConcurrentHashMap<>();

  /** Guarded by {@code this}. */
  private final Map<Long, Long> leases = new HashMap<>();

  private final long capacity;

  private DeviceBudget(long capacity) {
    this.capacity = capacity;
  }

  /**
   * The budget of {@code device} in this JVM. Its capacity is the device's free memory when the
   * executor first used it: what other processes hold then is out of bounds; what this executor's
   * own tasks hold later is tracked by their leases, not read back from the device.
   */
  public static DeviceBudget of(Device device) {
    return BUDGETS.computeIfAbsent(device.id(), id -> new DeviceBudget(device.freeBytes()));
  }

  public long capacity() {
    return capacity;
  }

  /** Bytes leased by every task but {@code taskId}. */
  public synchronized long heldByOthers(long taskId) {
    long held = 0;
    for (Map.Entry<Long, Long> lease : leases.entrySet()) {
      if (lease.getKey() != taskId) {
        held += lease.getValue();
      }
    }
    return held;
  }

  /** Sets what {@code taskId} holds (replacing its earlier lease). */
  public synchronized void lease(long taskId, long bytes) {
    leases.put(taskId, bytes);
  }

  public synchronized void release(long taskId) {
    leases.remove(taskId);
  }
}
