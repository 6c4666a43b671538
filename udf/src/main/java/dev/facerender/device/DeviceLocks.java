package dev.facerender.device;

import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One lock per device in this JVM. Calibration takes the write side so that no other task's batch
 * on the same device disturbs its timings and peaks; batches take the read side and run together.
 * Devices never wait on each other: calibrating cuda:1 does not stall cuda:0.
 */
public final class DeviceLocks {
  private static final PerDevice<ReadWriteLock> LOCKS =
      new PerDevice<>(device -> new ReentrantReadWriteLock());

  private DeviceLocks() {}

  /** The lock of {@code device}: of this instance, whatever other device has its id. */
  public static ReadWriteLock of(Device device) {
    return LOCKS.of(device);
  }
}
