package dev.facerender.schedule.spark;

import dev.facerender.model.FrameEnhancer;
import dev.facerender.model.FrameModel;
import dev.facerender.model.ModelPreflight;
import dev.facerender.model.Models;
import dev.facerender.partition.task.RenderSettings;
import dev.facerender.schedule.ModelFiles;

/**
 * Spark's model check: a driver copy of each file, on the CPU, runs the contract's test batch and
 * is closed. Executors are other JVMs, so what the driver loads is not what tasks use; a broken
 * file still stops the run before a task is scheduled.
 */
final class DriverTestBatch implements ModelFiles.Check {
  @Override
  public void model(ModelFiles.Shipped model, RenderSettings settings) {
    try (FrameModel loaded = Models.load(model.driverSpec(), "cpu", settings.network().torch())) {
      ModelPreflight.check(
          loaded, settings.network().coeffCount(), settings.network().windowWidth());
    }
  }

  @Override
  public void enhancer(ModelFiles.Shipped enhancer, RenderSettings settings) {
    try (FrameEnhancer loaded = Models.loadEnhancer(enhancer.driverSpec())) {
      ModelPreflight.check(loaded);
    }
  }
}
