package dev.facerender.model;

import dev.facerender.concurrent.Memo;
import dev.facerender.device.Device;

/**
 * One model per (spec, place, options), shared by every task that asks this cache: loading a model
 * costs far more than a batch. The place is where libtorch keeps the tensors ({@link
 * Device#torchDevice}), so two devices that render there (simulated GPUs of different sizes, say)
 * share the weights while each still counts them ({@link Device#modelLoaded}). Loading runs outside
 * any map lock, so loading one model never stalls tasks that want another. An executor keeps one
 * cache in its {@code ExecutorRuntime}; the cache owns its models and closes them in {@link
 * #close}, which its owner calls only once no task can use them.
 */
public final class ModelCache implements AutoCloseable {
  private final Memo<Key, AutoCloseable> models = new Memo<>();

  private record Key(String kind, String spec, String place, TorchOptions options) {}

  /** The renderer for {@code spec} on {@code device}, loaded onto it on first use. */
  public FrameModel get(String spec, Device device) {
    return get(spec, TorchOptions.DEFAULT, device);
  }

  /** As above, in {@code options}' precision and graph executor. */
  public FrameModel get(String spec, TorchOptions options, Device device) {
    FrameModel model =
        (FrameModel)
            models.get(
                new Key("model", spec, device.torchDevice(), options),
                key -> Models.load(key.spec(), key.place(), options));
    // Every device instance learns of the weights it holds; a device counts a spec once.
    device.modelLoaded(spec);
    return model;
  }

  /** The enhancer for {@code spec} on {@code device}, loaded onto it on first use. */
  public FrameEnhancer enhancer(String spec, Device device) {
    return (FrameEnhancer)
        models.get(
            new Key("enhancer", spec, device.torchDevice(), TorchOptions.DEFAULT),
            key -> Models.loadEnhancer(key.spec(), key.place()));
  }

  /** Closes every model loaded so far; the first failure is thrown after all were tried. */
  @Override
  public void close() {
    RuntimeException first = null;
    for (AutoCloseable model : models.drain()) {
      try {
        model.close();
      } catch (Exception e) {
        RuntimeException failure =
            e instanceof RuntimeException r ? r : new IllegalStateException("closing " + model, e);
        if (first == null) {
          first = failure;
        } else {
          first.addSuppressed(failure);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
