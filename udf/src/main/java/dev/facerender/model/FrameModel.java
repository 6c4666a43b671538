package dev.facerender.model;

import org.bytedeco.pytorch.Tensor;

/**
 * A renderer in the Facerender contract: {@code forward(source, coeffs)} maps sources {@code
 * [N,3,H,W]} float in [0,1] (or what {@code encode_source} made of them) and driving coefficients
 * {@code [N,C]} (or windows {@code [N,C,W]}) to frames {@code [N,3,H,W]} in [0,1]. A model whose
 * forward takes a third input gets the clip's source coefficients {@code [N,C]} there.
 * Implementations are shared by the tasks of one executor, so calls must be safe from several
 * threads; tensors they return belong to the caller's scope.
 */
public interface FrameModel extends AutoCloseable {

  /** The spec the model was loaded from, e.g. {@code builtin:warp} or a file path. */
  String spec();

  /** {@code sourceCoeffs} is passed only when {@link #takesSourceCoeffs()}; may be null else. */
  Tensor forward(Tensor source, Tensor coeffs, Tensor sourceCoeffs);

  default Tensor forward(Tensor source, Tensor coeffs) {
    return forward(source, coeffs, null);
  }

  /** Whether forward asks for the clip's source coefficients as a third input. */
  boolean takesSourceCoeffs();

  /** Whether the model encodes a clip's source once through {@code encode_source}. */
  boolean hasEncodeSource();

  /** The encoded source ({@code [1,...]}), passed to {@link #forward} in place of the image. */
  Tensor encodeSource(Tensor source);

  /** Elements of the model's parameters (weights, biases, norm affines; buffers not counted). */
  long parameterCount();

  @Override
  void close();
}
