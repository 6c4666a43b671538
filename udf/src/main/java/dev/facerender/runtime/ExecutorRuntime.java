package dev.facerender.runtime;

import dev.facerender.device.Device;
import dev.facerender.model.ModelCache;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * What an executor keeps between its tasks: the devices they were given ({@link Devices}), each
 * device's {@link DeviceState}, the loaded models ({@link ModelCache}) and the cores its tasks
 * share ({@link CoreShare}). All executor state lives here, none in static fields, so a test can
 * stand for a fresh executor with a runtime of its own.
 *
 * <p>Ownership: the runtime owns the models and closes them in {@link #close}, which its owner
 * calls only once no task can render. The JVM's runtime ({@link #ofThisJvm}) is never closed: tasks
 * may still run while shutdown hooks do (Ctrl-C), and the process's exit frees what the models hold
 * anyway.
 */
public final class ExecutorRuntime implements AutoCloseable {
  private static final ExecutorRuntime THIS_JVM = new ExecutorRuntime();

  private final Devices devices = new Devices();
  private final ModelCache models = new ModelCache();
  private final CoreShare cores = CoreShare.ofThisMachine();

  /** Keyed by the instance, not by its id; guarded by {@code this}. */
  private final Map<Device, DeviceState> states = new IdentityHashMap<>();

  /** The runtime of this JVM's tasks, Spark's and the local engine's. */
  public static ExecutorRuntime ofThisJvm() {
    return THIS_JVM;
  }

  public Devices devices() {
    return devices;
  }

  public ModelCache models() {
    return models;
  }

  /** The state of {@code device}: of this instance, whatever other device has its id. */
  public synchronized DeviceState on(Device device) {
    return states.computeIfAbsent(device, d -> new DeviceState(d, cores));
  }

  @Override
  public void close() {
    synchronized (this) {
      states.clear();
    }
    models.close();
  }
}
