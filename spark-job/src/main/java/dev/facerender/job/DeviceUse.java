package dev.facerender.job;

import static java.util.Objects.requireNonNull;

/**
 * Where a run's tasks render and why: run.json's {@code device} ({@code cpu}, {@code
 * cuda:0,cuda:1}, {@code per task} on a cluster) and {@code device_reason}.
 */
public record DeviceUse(String devices, String reason) {
  public DeviceUse {
    requireNonNull(devices, "devices is null");
    requireNonNull(reason, "reason is null");
  }
}
