package dev.facerender.schedule;

import dev.facerender.partition.task.FrameRows;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The rows tasks read ({@code FrameRows.INPUT}, {@code INPUT_WITH_AUDIO} for video) and where each
 * of their columns comes from on a source row and on a frame row: written once here, built by
 * Spark's select ({@code spark.RenderInput}) and by the local reader ({@code local.LocalInput}). An
 * input column a table lacks (the optional {@code coeffs}, {@code audio}, {@code audio_path} of
 * sources) reads as null.
 */
public final class InputLayout {
  private InputLayout() {}

  /** Where a column's value comes from. */
  public enum From {
    /** The constant true: the row is a source. */
    TRUE,
    /** The constant false: the row is a frame. */
    FALSE,
    /** The input table's column of the same name, cast to the column's type. */
    INPUT,
    /** The number of frame rows the row's clip has (for the audio's length check). */
    CLIP_FRAMES,
    /** Nothing: null. */
    NULL
  }

  /** A column of the layout, and where its value comes from on each kind of row. */
  public record Column(StructField field, From onSource, From onFrame) {
    public String name() {
      return field.name();
    }

    public DataType type() {
      return field.dataType();
    }

    public From from(boolean source) {
      return source ? onSource : onFrame;
    }
  }

  /** The layout's columns in order. */
  public static List<Column> columns(boolean video) {
    StructType layout = video ? FrameRows.INPUT_WITH_AUDIO : FrameRows.INPUT;
    List<Column> columns = new ArrayList<>();
    for (StructField field : layout.fields()) {
      columns.add(new Column(field, onSource(field.name()), onFrame(field.name())));
    }
    return columns;
  }

  private static From onSource(String name) {
    return switch (name) {
      case "is_source" -> From.TRUE;
      case "frame_index" -> From.NULL;
      case "clip_frames" -> From.CLIP_FRAMES;
      default -> From.INPUT;
    };
  }

  private static From onFrame(String name) {
    return switch (name) {
      case "is_source" -> From.FALSE;
      case "clip_id", "frame_index", "coeffs" -> From.INPUT;
      default -> From.NULL;
    };
  }
}
