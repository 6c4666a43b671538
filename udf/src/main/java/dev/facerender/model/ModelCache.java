package dev.facerender.model;

import dev.facerender.concurrent.Memo;
import dev.facerender.device.Device;

/**
 * One model per (spec, device) per JVM, shared by every task of an executor: loading a model costs
 * far more than a batch. Loading runs outside any map lock, so loading one model never stalls tasks
 * that want another. Models stay loaded for the life of the executor. They are not closed at JVM
 * exit: tasks may still run while shutdown hooks do (Ctrl-C), and the process's exit frees their
 * memory anyway; {@link #closeAll} is for tests.
 */
public final class ModelCache {
  private static final Memo<Key, AutoCloseable> MODELS = new Memo<>();

  private ModelCache() {}

  private record Key(String kind, String spec, String device, TorchOptions options) {}

  /** The renderer for {@code spec} on {@code device}, loaded onto it on first use. */
  public static FrameModel get(String spec, Device device) {
    return get(spec, TorchOptions.DEFAULT, device);
  }

  /** As above, in {@code options}' precision and graph executor. */
  public static FrameModel get(String spec, TorchOptions options, Device device) {
    return (FrameModel)
        MODELS.get(
            new Key("model", spec, device.id(), options),
            key -> {
              FrameModel model = Models.load(key.spec(), device.torchDevice(), options);
              device.modelLoaded(key.spec());
              return model;
            });
  }

  /** The enhancer for {@code spec} on {@code device}, loaded onto it on first use. */
  public static FrameEnhancer enhancer(String spec, Device device) {
    return (FrameEnhancer)
        MODELS.get(
            new Key("enhancer", spec, device.id(), TorchOptions.DEFAULT),
            key -> Models.loadEnhancer(key.spec(), device.torchDevice()));
  }

  public static void closeAll() {
    for (AutoCloseable model : MODELS.drain()) {
      try {
        model.close();
      } catch (Exception e) {
        // Closing frees native memory only; at exit there is nobody left to tell.
      }
    }
  }
}
