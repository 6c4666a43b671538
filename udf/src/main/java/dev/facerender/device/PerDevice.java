package dev.facerender.device;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * State this JVM keeps for each device instance, made on first use. Keyed by the instance, not by
 * its id: two devices with one id (simulated GPUs of different sizes, CPUs with different budgets)
 * are different devices and share nothing. Entries live as long as the JVM, as {@link Devices}'
 * devices do.
 */
final class PerDevice<V> {
  /** Guarded by {@code this}. */
  private final Map<Device, V> values = new IdentityHashMap<>();

  private final Function<Device, V> create;

  PerDevice(Function<Device, V> create) {
    this.create = create;
  }

  synchronized V of(Device device) {
    return values.computeIfAbsent(device, create);
  }
}
