package dev.facerender.partition.input;

import dev.facerender.metrics.FrameError;
import dev.facerender.partition.task.FrameRows;
import dev.facerender.partition.task.RenderSettings;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * A row's coefficient column read once and checked as it is read: present, of the model's count,
 * each value set, finite and within {@code --max-abs-coeff}; the first failure is the row's error.
 */
final class CoefficientRow {
  private final RenderSettings settings;

  CoefficientRow(RenderSettings settings) {
    this.settings = settings;
  }

  /** The row's coefficients, or why they cannot be used: exactly one is set. */
  record Read(float[] values, FrameError error) {}

  /** The coefficients of {@code row} (a frame, or a source when {@code index} is null). */
  Read read(Row row, String clip, Integer index) {
    if (row.isNullAt(FrameRows.COEFFS)) {
      return rejected(
          error(
              clip,
              index,
              RowValidator.INPUT,
              "MISSING_COEFFS",
              "frame has no coeffs: the column is null"));
    }
    List<Float> coeffs = row.getList(FrameRows.COEFFS);
    if (settings.network().coeffCount() > 0 && coeffs.size() != settings.network().coeffCount()) {
      return rejected(
          error(
              clip,
              index,
              RowValidator.INPUT,
              "BAD_COEFF_COUNT",
              "frame has "
                  + coeffs.size()
                  + " coefficients, the model expects "
                  + settings.network().coeffCount()
                  + " (set --coeff-count for other models)"));
    }
    float[] values = new float[coeffs.size()];
    for (int i = 0; i < values.length; i++) {
      Float value = coeffs.get(i);
      if (value == null) {
        return rejected(
            error(
                clip,
                index,
                RowValidator.INPUT,
                "NULL_COEFF",
                "coefficient " + i + " is null: every coefficient needs a value"));
      }
      if (!Float.isFinite(value)) {
        return rejected(
            error(
                clip,
                index,
                RowValidator.INPUT,
                "NON_FINITE_COEFF",
                "coefficient " + i + " is " + value + ": coefficients must be finite numbers"));
      }
      if (Math.abs(value) > settings.input().maxAbsCoeff()) {
        return rejected(
            error(
                clip,
                index,
                RowValidator.INPUT,
                "COEFF_OUT_OF_RANGE",
                "coefficient "
                    + i
                    + " is "
                    + value
                    + ", beyond --max-abs-coeff "
                    + settings.input().maxAbsCoeff()
                    + ": check the driving data's units"));
      }
      values[i] = value;
    }
    return new Read(values, null);
  }

  private static Read rejected(FrameError error) {
    return new Read(null, error);
  }

  private FrameError error(String clip, Integer index, String stage, String code, String message) {
    return new FrameError(settings.runId(), clip, index, stage, code, message);
  }
}
