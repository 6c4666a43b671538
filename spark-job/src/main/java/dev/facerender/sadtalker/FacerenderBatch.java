package dev.facerender.sadtalker;

/**
 * The coefficients SadTalker's {@code get_facerender_data} ({@code generate_facerender_batch.py})
 * feeds its renderer, as Facerender's rows: one row per frame, no windows (Facerender builds the
 * same clamped 27-frame windows with {@code --window-radius 13}).
 *
 * <p>In SadTalker's order: the source's coefficients are {@code first_coeff[0, :C]}; the frames are
 * {@code coeff_3dmm[:, :70]} with the expression columns times {@code expression_scale}, then
 * (full) the source's columns 70-72 appended, then (still) columns 64 on copied from the source.
 * Arithmetic follows numpy's types: a float64 matrix is scaled in double and rounded to float once
 * ({@code torch.FloatTensor}); a float32 one (what audio2coeff saves from its float tensors) is
 * scaled in float, as numpy multiplies a float32 array by a Python float.
 */
public final class FacerenderBatch {
  private FacerenderBatch() {}

  /** The source's coefficients: the first row of {@code first_coeff}, its first C columns. */
  public static float[] sourceCoefficients(double[][] firstCoeff, Preprocess preprocess) {
    float[] source = new float[preprocess.coeffCount()];
    for (int c = 0; c < source.length; c++) {
      source[c] = (float) firstCoeff[0][c];
    }
    return source;
  }

  /** One row per frame of {@code generated} (audio2coeff's {@code coeff_3dmm}). */
  public static float[][] frameCoefficients(
      CoefficientMatrix audio,
      double[][] firstCoeff,
      Preprocess preprocess,
      double expressionScale,
      boolean still) {
    double[][] generated = audio.values();
    float scale = (float) expressionScale;
    int count = preprocess.coeffCount();
    float[][] frames = new float[generated.length][count];
    for (int f = 0; f < generated.length; f++) {
      for (int c = 0; c < count; c++) {
        double value;
        if (c >= Preprocess.AUDIO_COEFFS || (still && c >= Preprocess.EXPRESSION_COEFFS)) {
          value = firstCoeff[0][c];
        } else if (c < Preprocess.EXPRESSION_COEFFS && audio.single()) {
          value = (float) generated[f][c] * scale;
        } else if (c < Preprocess.EXPRESSION_COEFFS) {
          value = generated[f][c] * expressionScale;
        } else {
          value = generated[f][c];
        }
        frames[f][c] = (float) value;
      }
    }
    return frames;
  }
}
