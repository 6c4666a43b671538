package dev.facerender.schedule.local;

import dev.facerender.device.Device;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.runtime.ExecutorRuntime;
import dev.facerender.schedule.ModelFiles;

/**
 * The local scheduler's model check: its tasks run in this JVM, so the files are loaded into this
 * JVM's {@link ExecutorRuntime} on the tasks' device, where tasks take them, and their load-time
 * checks (file, signature) run. The test batch does not: each task's first batch checks the output
 * contract before anything is written, and a test batch costs a large model as much as two of the
 * job's frames.
 */
final class LoadedForTasks implements ModelFiles.Check {
  private final Device device;

  LoadedForTasks(Device device) {
    this.device = device;
  }

  @Override
  public void model(ModelFiles.Shipped model, RenderSettings settings) {
    ExecutorRuntime.ofThisJvm()
        .models()
        .get(model.executorSpec(), settings.network().torch(), device);
  }

  @Override
  public void enhancer(ModelFiles.Shipped enhancer, RenderSettings settings) {
    ExecutorRuntime.ofThisJvm().models().enhancer(enhancer.executorSpec(), device);
  }
}
