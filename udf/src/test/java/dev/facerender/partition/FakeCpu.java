package dev.facerender.partition;

import dev.facerender.device.Device;
import dev.facerender.device.DeviceKind;

/**
 * A CPU for tests that watch what a renderer asks of its device (they override {@link
 * #beforeBatch}): 8 GiB free, nothing allocated, no peaks reported, tensors on the CPU.
 */
public abstract class FakeCpu implements Device {
  private final String id;

  protected FakeCpu(String id) {
    this.id = id;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public DeviceKind kind() {
    return DeviceKind.CPU;
  }

  @Override
  public int index() {
    return -1;
  }

  @Override
  public long totalBytes() {
    return 8L << 30;
  }

  @Override
  public long freeBytes() {
    return 8L << 30;
  }

  @Override
  public long allocatedBytes() {
    return 0;
  }

  @Override
  public long reservedBytes() {
    return 0;
  }

  @Override
  public void resetPeak() {}

  @Override
  public long peakAllocatedBytes() {
    return -1;
  }

  @Override
  public void emptyCache() {}
}
