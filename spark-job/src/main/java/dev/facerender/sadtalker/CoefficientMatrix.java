package dev.facerender.sadtalker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.MatlabType;
import us.hebi.matlab.mat.types.Matrix;

/**
 * The {@code coeff_3dmm} matrix of one of SadTalker's {@code .mat} files (MAT 5, as {@code
 * scipy.io.savemat} writes them), checked: at least {@code minColumns} columns, at least one row,
 * every value finite. {@code single} says the file stored float32, which changes how numpy scales
 * it.
 */
public record CoefficientMatrix(double[][] values, boolean single) {
  /** The variable SadTalker writes its coefficients under, in both kinds of file. */
  public static final String KEY = "coeff_3dmm";

  /**
   * Reads {@code file}; {@code role} names the file in messages ("coefficient file", "first_coeff
   * file") and {@code fix} says how to get a good one.
   */
  public static CoefficientMatrix read(Path file, String role, int minColumns, String fix) {
    if (!Files.isRegularFile(file)) {
      throw new ImportException(file, role + " does not exist; " + fix);
    }
    try (Mat5File mat = Mat5.readFromFile(file.toFile())) {
      return of(file, role, mat, minColumns, fix);
    } catch (IOException | RuntimeException e) {
      if (e instanceof ImportException known) {
        throw known;
      }
      throw new ImportException(
          file,
          role
              + " cannot be read as a MAT 5 file ("
              + e.getMessage()
              + "): SadTalker writes them with scipy.io.savemat; MATLAB -v7.3 (HDF5) files are"
              + " not read, save with -v7 or savemat instead",
          e);
    }
  }

  private static CoefficientMatrix of(
      Path file, String role, MatFile mat, int minColumns, String fix) {
    Matrix matrix = matrixNamed(file, role, mat, fix);
    int rows = matrix.getNumRows();
    int cols = matrix.getNumCols();
    if (matrix.getNumDimensions() != 2 || rows < 1 || cols < minColumns) {
      throw new ImportException(
          file,
          String.format(
              "%s's %s is %s, needs at least 1 row and %d columns: %s",
              role, KEY, shape(matrix), minColumns, fix));
    }
    double[][] values = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double value = matrix.getDouble(r, c);
        if (!Double.isFinite(value)) {
          throw new ImportException(
              file,
              String.format(
                  "%s's %s row %d column %d is %s: every coefficient must be finite; re-run"
                      + " the SadTalker step that wrote it for this clip",
                  role, KEY, r, c, value));
        }
        values[r][c] = value;
      }
    }
    return new CoefficientMatrix(values, matrix.getType() == MatlabType.Single);
  }

  private static Matrix matrixNamed(Path file, String role, MatFile mat, String fix) {
    List<String> names = new ArrayList<>();
    for (MatFile.Entry entry : mat.getEntries()) {
      if (entry.getName().equals(KEY)) {
        Array array = entry.getValue();
        if (array instanceof Matrix matrix && !matrix.isComplex() && !matrix.isLogical()) {
          return matrix;
        }
        throw new ImportException(
            file,
            String.format(
                "%s's %s is a %s %s, not a real numeric matrix: %s",
                role, KEY, shape(array), array.getType(), fix));
      }
      names.add(entry.getName());
    }
    throw new ImportException(
        file, String.format("%s has no %s (it holds %s): %s", role, KEY, names, fix));
  }

  private static String shape(Array array) {
    StringBuilder text = new StringBuilder();
    for (int d : array.getDimensions()) {
      text.append(text.isEmpty() ? "" : "x").append(d);
    }
    return text.toString();
  }

  public int rows() {
    return values.length;
  }
}
