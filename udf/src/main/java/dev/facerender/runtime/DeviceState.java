package dev.facerender.runtime;

import dev.facerender.batch.Calibration;
import dev.facerender.concurrent.Memo;
import dev.facerender.device.BatchPeaks;
import dev.facerender.device.Device;
import dev.facerender.device.DeviceBudget;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * What an executor keeps for one device instance, shared by the tasks rendering on it: its lock,
 * its batches' peaks, the tasks' leases and the calibrations measured on it. Two devices with one
 * id (simulated GPUs of different sizes, CPUs with different budgets) have a state each and share
 * nothing. Thread-safe.
 */
public final class DeviceState {
  private final Device device;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final BatchPeaks peaks;
  private final DeviceBudget budget = new DeviceBudget();
  private final Memo<String, Calibration> calibrations = new Memo<>();
  private final CoreShare cores;

  /**
   * A state of its own for {@code device}, with this machine's cores to itself; tasks that share a
   * device get one from {@link ExecutorRuntime#on} instead.
   */
  public DeviceState(Device device) {
    this(device, CoreShare.ofThisMachine());
  }

  /** {@code cores}: the JVM's cores, shared with the tasks of every other device. */
  DeviceState(Device device, CoreShare cores) {
    this.device = device;
    this.peaks = new BatchPeaks(device);
    this.cores = cores;
  }

  public Device device() {
    return device;
  }

  /**
   * Calibration takes the write side, so that no other task's batch on the device disturbs its
   * timings and peaks; batches take the read side and run together. Devices never wait on each
   * other: calibrating cuda:1 does not stall cuda:0.
   */
  public ReadWriteLock lock() {
    return lock;
  }

  /** The JVM's cores, shared by the tasks of every device: libtorch threads follow it. */
  public CoreShare cores() {
    return cores;
  }

  public BatchPeaks peaks() {
    return peaks;
  }

  public DeviceBudget budget() {
    return budget;
  }

  /**
   * The calibration kept under {@code key}, measured (or read) by {@code measure} on first use,
   * outside any lock of this state: other keys do not wait for it, callers for this key do.
   */
  public Calibration calibration(String key, Function<String, Calibration> measure) {
    return calibrations.get(key, measure);
  }
}
