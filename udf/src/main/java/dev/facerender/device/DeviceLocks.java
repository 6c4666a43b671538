package dev.facerender.device;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One lock per device in this JVM. Calibration takes the write side so that no other task's batch
 * on the same device disturbs its timings and peaks; batches take the read side and run together.
 * Devices never wait on each other: calibrating cuda:1 does not stall cuda:0.
 */
public final class DeviceLocks {
  private static final Map<String, ReadWriteLock> LOCKS = new ConcurrentHashMap<>();

  private DeviceLocks() {}

  public static ReadWriteLock of(Device device) {
    return LOCKS.computeIfAbsent(device.id(), id -> new ReentrantReadWriteLock());
  }
}
