package dev.facerender.partition.frame;

import dev.facerender.codec.RgbImage;
import dev.facerender.codec.TensorFrames;
import dev.facerender.model.FrameModel;
import dev.facerender.model.ModelException;
import dev.facerender.video.AudioTrack;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;

/**
 * A clip's source, decoded once per clip per task, with a counted lifetime. Its model input (the
 * image as a tensor, or what the model's {@code encode_source} made of it) is computed on first use
 * and kept across batches, so encode_source runs once per clip, not once per batch.
 *
 * <p>Ownership: the creator holds the first reference. Whoever hands frames of the clip to a batch
 * {@link #retain}s it for that batch, and the batch {@link #release}s it when it ends or is dropped
 * unrun. The model input is freed when the last reference goes, on whichever thread drops it; after
 * that {@link #modelInput} throws instead of quietly rebuilding a tensor nobody would free.
 */
public final class ClipSource {
  private final String clipId;
  private final RgbImage image;
  private final float[] coeffs;

  /** Guarded by {@code this}. */
  private int references = 1;

  private Tensor modelInput;
  private boolean closed;
  private volatile AudioTrack audio;

  /** {@code coeffs} are the source's own coefficients, or null when the table has none. */
  public ClipSource(String clipId, RgbImage image, float[] coeffs) {
    this.clipId = clipId;
    this.image = image;
    this.coeffs = coeffs;
  }

  public String clipId() {
    return clipId;
  }

  RgbImage image() {
    return image;
  }

  public float[] coeffs() {
    return coeffs;
  }

  /** The clip's audio for its video, or null; set on the task thread before any frame leaves. */
  public AudioTrack audio() {
    return audio;
  }

  public void attachAudio(AudioTrack track) {
    this.audio = track;
  }

  public int width() {
    return image.width();
  }

  public int height() {
    return image.height();
  }

  /** Takes one more reference; fails when the clip is already closed. */
  public synchronized void retain() {
    if (closed) {
      throw new IllegalStateException("clip '" + clipId + "' is closed: it cannot join a batch");
    }
    references++;
  }

  /** Drops one reference; the last one frees the model input. */
  public synchronized void release() {
    if (closed) {
      throw new IllegalStateException("clip '" + clipId + "' was released more often than held");
    }
    if (--references == 0) {
      closed = true;
      if (modelInput != null) {
        modelInput.releaseReference();
        modelInput = null;
      }
    }
  }

  synchronized boolean isClosed() {
    return closed;
  }

  /**
   * {@code [1,...]}: the model's input for this clip, on the model's device. Called inside a
   * batch's scope by a batch that holds a reference; the tensor is retained past that scope and
   * freed with the last reference.
   */
  public synchronized Tensor modelInput(FrameModel model, UnaryOperator<Tensor> toDevice) {
    if (closed) {
      throw new IllegalStateException("clip '" + clipId + "' is closed: its model input is freed");
    }
    if (modelInput == null) {
      Tensor input = toDevice.apply(TensorFrames.toTensor(image));
      if (model.hasEncodeSource()) {
        input = model.encodeSource(input);
        long[] encoded = input.sizes().vec().get();
        if (encoded.length == 0 || encoded[0] != 1) {
          // The driver's test batch checks this too; the local engine's first batch is its test.
          throw new ModelException(
              "Model "
                  + model.spec()
                  + ": encode_source returns shape "
                  + Arrays.toString(encoded)
                  + " for one source; its first dimension must be 1 (it is expanded over a"
                  + " batch)");
        }
      }
      input.retainReference();
      modelInput = input;
    }
    return modelInput;
  }
}
