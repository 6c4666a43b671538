package dev.facerender.model;

import dev.facerender.device.Device;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One model per (spec, device) per JVM, shared by every task of an executor: loading a model costs
 * far more than a batch. Models stay loaded for the life of the executor and are closed at JVM exit
 * (or by {@link #closeAll}).
 */
public final class ModelCache {
  private static final Map<Key, FrameModel> MODELS = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ModelCache::closeAll, "facerender-models"));
  }

  private ModelCache() {}

  private record Key(String spec, String device) {}

  /** The model for {@code spec} on {@code device}, loaded onto it on first use. */
  public static FrameModel get(String spec, Device device) {
    return MODELS.computeIfAbsent(
        new Key(spec, device.id()), key -> Models.load(key.spec(), device.torchDevice()));
  }

  public static void closeAll() {
    for (Key key : MODELS.keySet()) {
      FrameModel model = MODELS.remove(key);
      if (model != null) {
        model.close();
      }
    }
  }
}
