package dev.facerender.partition.render;

import dev.facerender.device.Device;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Torch;
import dev.facerender.partition.frame.ClipSource;
import dev.facerender.partition.frame.PendingFrame;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A batch's model inputs, built from its pending frames where the model lives. Call inside the
 * batch's {@code PointerScope}: the tensors returned belong to it (a clip's model input belongs to
 * its {@link ClipSource}).
 */
public final class DeviceInputs {
  private final FrameModel model;
  private final Device device;

  public DeviceInputs(FrameModel model, Device device) {
    this.model = model;
    this.device = device;
  }

  /**
   * {@code [N,...]}: each clip's model input (its image, or what encode_source made of it, computed
   * once per clip) expanded over its run of frames: views, no copies.
   */
  Tensor sources(List<PendingFrame> frames) {
    TensorVector runs = new TensorVector();
    int i = 0;
    while (i < frames.size()) {
      ClipSource source = frames.get(i).source();
      int j = i;
      while (j < frames.size() && frames.get(j).source() == source) {
        j++;
      }
      Tensor input = source.modelInput(model, this::onDevice);
      long[] shape = input.sizes().vec().get();
      shape[0] = j - i;
      runs.push_back(input.expand(shape));
      i = j;
    }
    return runs.size() == 1 ? runs.get(0) : torch.cat(runs);
  }

  /**
   * {@code tensor} where the model lives: the task's GPU, or as it is on the CPU. To a GPU the copy
   * goes from page-locked memory (libtorch's caching host allocator keeps those pages from batch to
   * batch) and is queued on the task's stream without waiting: the model's kernels queue behind it,
   * and the pinned tensor lives in the batch's scope until the frames are read back.
   */
  public Tensor onDevice(Tensor tensor) {
    return Torch.onDevice(tensor, device.torchDevice());
  }

  /** {@code [N,C]}, or {@code [N,C,W]} windows when {@code window > 1}. */
  static Tensor coefficients(List<PendingFrame> frames, int window) {
    int values = frames.get(0).coeffs().length;
    Tensor flat = floats(frames.size(), values, i -> frames.get(i).coeffs());
    return window > 1 ? flat.view(frames.size(), values / window, window) : flat;
  }

  /** {@code [N,C]}: each frame's clip's source coefficients. */
  static Tensor sourceCoefficients(List<PendingFrame> frames) {
    return floats(
        frames.size(),
        frames.get(0).source().coeffs().length,
        i -> frames.get(i).source().coeffs());
  }

  private static Tensor floats(int rows, int columns, java.util.function.IntFunction<float[]> row) {
    float[] flat = new float[rows * columns];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(row.apply(i), 0, flat, i * columns, columns);
    }
    return torch.from_blob(new FloatPointer(flat), rows, columns).clone();
  }
}
