package dev.facerender.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One model per (spec, device) per JVM, shared by every task of an executor: loading a model costs
 * far more than a batch. Models stay loaded for the life of the executor and are closed at JVM exit
 * (or by {@link #closeAll}).
 */
public final class ModelCache {
  private static final Map<Key, AutoCloseable> MODELS = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ModelCache::closeAll, "facerender-models"));
  }

  private ModelCache() {}

  private record Key(String kind, String spec, String device) {}

  public static FrameModel get(String spec, String device) {
    return (FrameModel)
        MODELS.computeIfAbsent(new Key("model", spec, device), key -> Models.load(key.spec()));
  }

  public static FrameEnhancer enhancer(String spec, String device) {
    return (FrameEnhancer)
        MODELS.computeIfAbsent(
            new Key("enhancer", spec, device), key -> Models.loadEnhancer(key.spec()));
  }

  public static void closeAll() {
    for (Key key : MODELS.keySet()) {
      AutoCloseable model = MODELS.remove(key);
      if (model != null) {
        try {
          model.close();
        } catch (Exception e) {
          // Closing frees native memory only; at exit there is nobody left to tell.
        }
      }
    }
  }
}
