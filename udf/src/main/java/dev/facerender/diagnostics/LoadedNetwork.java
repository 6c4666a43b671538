package dev.facerender.diagnostics;

import dev.facerender.device.Device;
import dev.facerender.model.FrameEnhancer;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import dev.facerender.partition.task.RenderSettings;

/**
 * The settings' model and enhancer (null without one), loaded onto a device for a probe outside a
 * job and closed together. The probe owns both; nothing else holds them.
 */
record LoadedNetwork(FrameModel model, FrameEnhancer enhancer) implements AutoCloseable {
  /** Loads both and tells the device the model's weights are resident. */
  static LoadedNetwork onto(RenderSettings settings, Device device) {
    FrameModel model =
        Models.load(settings.network().model(), device.torchDevice(), settings.network().torch());
    LoadedNetwork loaded;
    try {
      loaded =
          new LoadedNetwork(
              model,
              settings.network().hasEnhancer()
                  ? Models.loadEnhancer(settings.network().enhancer(), device.torchDevice())
                  : null);
    } catch (RuntimeException | Error e) {
      model.close();
      throw e;
    }
    try {
      device.modelLoaded(settings.network().model());
    } catch (RuntimeException | Error e) {
      loaded.close();
      throw e;
    }
    return loaded;
  }

  @Override
  public void close() {
    try (FrameModel m = model;
        FrameEnhancer e = enhancer) {
      // closes both, the model even when the enhancer fails
    }
  }
}
