package dev.facerender.model;

import dev.facerender.concurrent.Memo;
import dev.facerender.device.Device;

/**
 * One model per (spec, place, options) per JVM, shared by every task of an executor: loading a
 * model costs far more than a batch. The place is where libtorch keeps the tensors ({@link
 * Device#torchDevice}), so two devices that render there (simulated GPUs of different sizes, say)
 * share the weights while each still counts them ({@link Device#modelLoaded}). Loading runs outside
 * any map lock, so loading one model never stalls tasks that want another. Models stay loaded for
 * the life of the executor and are not closed at JVM exit: tasks may still run while shutdown hooks
 * do (Ctrl-C), and the process's exit frees their memory anyway.
 */
public final class ModelCache {
  private static final Memo<Key, AutoCloseable> MODELS = new Memo<>();

  private ModelCache() {}

  private record Key(String kind, String spec, String place, TorchOptions options) {}

  /** The renderer for {@code spec} on {@code device}, loaded onto it on first use. */
  public static FrameModel get(String spec, Device device) {
    return get(spec, TorchOptions.DEFAULT, device);
  }

  /** As above, in {@code options}' precision and graph executor. */
  public static FrameModel get(String spec, TorchOptions options, Device device) {
    FrameModel model =
        (FrameModel)
            MODELS.get(
                new Key("model", spec, device.torchDevice(), options),
                key -> Models.load(key.spec(), key.place(), options));
    // Every device instance learns of the weights it holds; a device counts a spec once.
    device.modelLoaded(spec);
    return model;
  }

  /** The enhancer for {@code spec} on {@code device}, loaded onto it on first use. */
  public static FrameEnhancer enhancer(String spec, Device device) {
    return (FrameEnhancer)
        MODELS.get(
            new Key("enhancer", spec, device.torchDevice(), TorchOptions.DEFAULT),
            key -> Models.loadEnhancer(key.spec(), key.place()));
  }
}
