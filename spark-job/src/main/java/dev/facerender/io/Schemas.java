package dev.facerender.io;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The tables of DESIGN.md and the checks that run on the driver before any task starts. */
public final class Schemas {
  public static final StructType FRAMES =
      new StructType()
          .add("clip_id", DataTypes.StringType)
          .add("frame_index", DataTypes.IntegerType)
          .add("coeffs", DataTypes.createArrayType(DataTypes.FloatType));

  public static final StructType SOURCES =
      new StructType().add("clip_id", DataTypes.StringType).add("image", DataTypes.BinaryType);

  public static final StructType ERRORS =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("clip_id", DataTypes.StringType)
          .add("frame_index", DataTypes.IntegerType)
          .add("stage", DataTypes.StringType, false)
          .add("error_code", DataTypes.StringType, false)
          .add("message", DataTypes.StringType, false);

  public static final StructType METRICS =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("stage", DataTypes.StringType, false)
          .add("executor", DataTypes.StringType, false)
          .add("host", DataTypes.StringType, false)
          .add("partition", DataTypes.IntegerType, false)
          .add("attempt", DataTypes.IntegerType, false)
          .add("batch_seq", DataTypes.LongType, false)
          .add("device", DataTypes.StringType, false)
          .add("level", DataTypes.StringType, false)
          .add("frame_width", DataTypes.IntegerType, false)
          .add("frame_height", DataTypes.IntegerType, false)
          .add("planned_batch", DataTypes.IntegerType, false)
          .add("ceiling", DataTypes.IntegerType, false)
          .add("actual_batch", DataTypes.IntegerType, false)
          .add("frames", DataTypes.IntegerType, false)
          .add("errors", DataTypes.IntegerType, false)
          .add("ooms", DataTypes.IntegerType, false)
          .add("splits", DataTypes.IntegerType, false)
          .add("free_bytes", DataTypes.LongType, false)
          .add("total_bytes", DataTypes.LongType, false)
          .add("peak_bytes", DataTypes.LongType, false)
          .add("per_frame_bytes", DataTypes.LongType, false)
          .add("fixed_bytes", DataTypes.LongType, false)
          .add("calibration_source", DataTypes.StringType, false)
          .add("calibration_nanos", DataTypes.LongType, false)
          .add("decode_nanos", DataTypes.LongType, false)
          .add("render_nanos", DataTypes.LongType, false)
          .add("encode_nanos", DataTypes.LongType, false)
          .add("start_millis", DataTypes.LongType, false)
          .add("end_millis", DataTypes.LongType, false)
          .add("frames_per_second", DataTypes.DoubleType, false);

  private Schemas() {}

  /**
   * Checks that {@code actual} has every column of {@code wanted} with a compatible type; the
   * message names the table, the column, the type found and the type wanted.
   */
  public static void check(String table, String path, StructType actual, StructType wanted) {
    List<String> problems = new ArrayList<>();
    for (StructField field : wanted.fields()) {
      StructField found =
          List.of(actual.fields()).stream()
              .filter(f -> f.name().equals(field.name()))
              .findFirst()
              .orElse(null);
      if (found == null) {
        problems.add(
            "column '"
                + field.name()
                + "' is missing (wanted "
                + field.dataType().simpleString()
                + "; found columns "
                + String.join(", ", actual.fieldNames())
                + ")");
      } else if (!compatible(found.dataType(), field.dataType())) {
        problems.add(
            "column '"
                + field.name()
                + "' is "
                + found.dataType().simpleString()
                + ", wanted "
                + field.dataType().simpleString());
      }
    }
    if (!problems.isEmpty()) {
      throw new InputException(
          "The " + table + " table at " + path + " does not fit: " + String.join("; ", problems));
    }
  }

  /** Integers may widen and float arrays may come as double arrays (JSON); nothing else. */
  private static boolean compatible(DataType found, DataType wanted) {
    if (sameType(found, wanted)) {
      return true;
    }
    if (sameType(wanted, DataTypes.IntegerType)) {
      return sameType(found, DataTypes.LongType) || sameType(found, DataTypes.ShortType);
    }
    if (sameType(wanted, DataTypes.createArrayType(DataTypes.FloatType))) {
      return sameType(found, DataTypes.createArrayType(DataTypes.DoubleType))
          || sameType(found, DataTypes.createArrayType(DataTypes.LongType));
    }
    if (sameType(wanted, DataTypes.BinaryType)) {
      return sameType(found, DataTypes.StringType);
    }
    return false;
  }

  /**
   * Spark's {@code DataType.sameType} (equal but for nullability, field names in any case) without
   * reading Spark's SQL configuration for its case rule: that first read builds all of Spark's SQL
   * settings, 0.4 s on a run that starts no session (the local engine). The default rule applies.
   */
  public static boolean sameType(DataType a, DataType b) {
    if (a instanceof ArrayType x && b instanceof ArrayType y) {
      return sameType(x.elementType(), y.elementType());
    }
    if (a instanceof MapType x && b instanceof MapType y) {
      return sameType(x.keyType(), y.keyType()) && sameType(x.valueType(), y.valueType());
    }
    if (a instanceof StructType x && b instanceof StructType y) {
      if (x.fields().length != y.fields().length) {
        return false;
      }
      for (int i = 0; i < x.fields().length; i++) {
        if (!x.fields()[i].name().equalsIgnoreCase(y.fields()[i].name())
            || !sameType(x.fields()[i].dataType(), y.fields()[i].dataType())) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /**
   * {@code StructType.simpleString} as Spark writes it under its default limit of 25 fields, again
   * without reading Spark's SQL configuration; wider schemas are Spark's to write.
   */
  public static String simpleString(StructType schema) {
    if (schema.fields().length > 25) {
      return schema.simpleString();
    }
    StringBuilder text = new StringBuilder("struct<");
    for (int i = 0; i < schema.fields().length; i++) {
      StructField field = schema.fields()[i];
      text.append(i == 0 ? "" : ",").append(field.name()).append(':');
      text.append(typeString(field.dataType()));
    }
    return text.append('>').toString();
  }

  private static String typeString(DataType type) {
    if (type instanceof StructType struct) {
      return simpleString(struct);
    }
    if (type instanceof ArrayType array) {
      return "array<" + typeString(array.elementType()) + ">";
    }
    if (type instanceof MapType map) {
      return "map<" + typeString(map.keyType()) + "," + typeString(map.valueType()) + ">";
    }
    return type.simpleString();
  }

  public static boolean has(StructType schema, String column) {
    return List.of(schema.fieldNames()).contains(column);
  }
}
