package dev.facerender.partition;

import dev.facerender.codec.RgbImage;
import dev.facerender.codec.TensorFrames;
import dev.facerender.model.FrameModel;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;

/**
 * A clip's source, decoded once per clip per task. Its model input (the image as a tensor, or what
 * the model's {@code encode_source} made of it) is computed on first use and kept across batches
 * until the clip's last batch is done, so encode_source runs once per clip, not once per batch.
 */
final class ClipSource implements AutoCloseable {
  private final String clipId;
  private final RgbImage image;
  private final float[] coeffs;
  private Tensor modelInput;

  /** {@code coeffs} are the source's own coefficients, or null when the table has none. */
  ClipSource(String clipId, RgbImage image, float[] coeffs) {
    this.clipId = clipId;
    this.image = image;
    this.coeffs = coeffs;
  }

  String clipId() {
    return clipId;
  }

  RgbImage image() {
    return image;
  }

  float[] coeffs() {
    return coeffs;
  }

  int width() {
    return image.width();
  }

  int height() {
    return image.height();
  }

  /**
   * {@code [1,...]}: the model's input for this clip, on the model's device. Called inside a
   * batch's scope; the tensor is retained past it and released by {@link #close}.
   */
  Tensor modelInput(FrameModel model, UnaryOperator<Tensor> toDevice) {
    if (modelInput == null) {
      Tensor input = toDevice.apply(TensorFrames.toTensor(image));
      if (model.hasEncodeSource()) {
        input = model.encodeSource(input);
      }
      input.retainReference();
      modelInput = input;
    }
    return modelInput;
  }

  @Override
  public void close() {
    if (modelInput != null) {
      modelInput.releaseReference();
      modelInput = null;
    }
  }
}
