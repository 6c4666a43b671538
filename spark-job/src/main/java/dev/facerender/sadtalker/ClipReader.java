package dev.facerender.sadtalker;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads and checks one clip's files into the rows an import writes. A source's coefficients and a
 * crop shared by many clips are read once.
 */
final class ClipReader {
  private final SadTalkerImport.Options options;
  private final Map<Path, float[]> sourceCoeffs = new HashMap<>();
  private final Map<Path, byte[]> crops = new HashMap<>();

  ClipReader(SadTalkerImport.Options options) {
    this.options = options;
  }

  /** One clip's rows, read and checked: nothing of it is written unless all of it is good. */
  record ClipRows(float[][] frames, float[] source, byte[] crop) {}

  ClipRows read(SadTalkerClip clip) {
    Preprocess preprocess = options.preprocess();
    float[] source =
        sourceCoeffs.computeIfAbsent(
            clip.firstCoeff(),
            file ->
                FacerenderBatch.sourceCoefficients(
                    CoefficientMatrix.read(
                            file,
                            "first_coeff file",
                            preprocess.coeffCount(),
                            preprocess == Preprocess.FULL
                                ? "pass the .mat SadTalker's preprocess wrote for the source image"
                                    + " (73 columns with --preprocess full: 70 coefficients and"
                                    + " the 3 crop parameters; with a 70-column file use"
                                    + " --preprocess crop)"
                                : "pass the .mat SadTalker's preprocess wrote for the source image"
                                    + " (first_frame_dir/<image>.mat)")
                        .values(),
                    preprocess));
    CoefficientMatrix audio =
        CoefficientMatrix.read(
            clip.coeffs(),
            "coefficient file",
            Preprocess.AUDIO_COEFFS,
            "pass the .mat audio2coeff wrote for the clip (<image>##<audio>.mat, 70 columns: 64"
                + " expression, 3 rotation, 3 translation)");
    double[][] first = {toDoubles(source)};
    float[][] frames =
        FacerenderBatch.frameCoefficients(
            audio, first, preprocess, options.expressionScale(), options.still());
    byte[] crop = crops.computeIfAbsent(clip.crop(), file -> CropImage.read(file, options.size()));
    return new ClipRows(frames, source, crop);
  }

  private static double[] toDoubles(float[] values) {
    double[] doubles = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      doubles[i] = values[i];
    }
    return doubles;
  }
}
