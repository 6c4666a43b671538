package dev.facerender.model;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One model per (spec, device) per JVM, shared by every task of an executor: loading a model costs
 * far more than a batch. Models stay loaded for the life of the executor and are closed at JVM exit
 * (or by {@link #closeAll}).
 */
public final class ModelCache {
  private static final Map<Key, FrameModel> MODELS = new ConcurrentHashMap<>();
  private static final Function<String, FrameModel> LOADER = Models::load;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ModelCache::closeAll, "facerender-models"));
  }

  private ModelCache() {}

  private record Key(String spec, String device) {}

  public static FrameModel get(String spec, String device) {
    return MODELS.computeIfAbsent(new Key(spec, device), key -> LOADER.apply(key.spec()));
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
