package dev.facerender.device;

import java.util.HashMap;
import java.util.Map;

/**
 * What the tasks of one executor have claimed on one device. A task leases what it planned for (its
 * batch's bytes beyond the weights) and sizes against the device's plannable bytes minus the
 * others' leases, so tasks sharing a GPU never plan more than it has between them.
 */
public final class DeviceBudget {
  /** Guarded by {@code this}. */
  private final Map<Long, Long> leases = new HashMap<>();

  /** No leases; one per device instance, shared by the tasks rendering on it. */
  public DeviceBudget() {}

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
