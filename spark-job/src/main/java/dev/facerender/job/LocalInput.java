package dev.facerender.job;

import dev.facerender.io.InputException;
import dev.facerender.io.ParquetTable;
import dev.facerender.io.Schemas;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The local engine's input: both tables checked as {@link RenderInput} checks them (same messages),
 * and read into rows of {@code FrameRows.INPUT} with the casts {@link RenderInput#stream} applies,
 * with each clip's frame count and first and last index.
 */
final class LocalInput {
  final ParquetTable frames;
  final ParquetTable sources;
  final StructType framesSchema;
  final StructType sourcesSchema;

  LocalInput(ParquetTable frames, ParquetTable sources) {
    this.frames = frames;
    this.sources = sources;
    framesSchema = frames.sparkSchema();
    Schemas.check("frames", frames.path(), framesSchema, Schemas.FRAMES);
    sourcesSchema = sources.sparkSchema();
    Schemas.check("sources", sources.path(), sourcesSchema, Schemas.SOURCES);
  }

  /** Whether source images are base64 text rather than bytes. */
  boolean base64Sources() {
    return sourcesSchema.apply("image").dataType().sameType(DataTypes.StringType);
  }

  /** Source rows then frame rows, in file order; {@code clips} gets each clip's frames. */
  List<Row> rows(Map<String, ClipPartitions.ClipFrames> clips) {
    List<Row> rows = new ArrayList<>();
    boolean sourceCoeffs = Schemas.has(sourcesSchema, "coeffs");
    List<String> sourceColumns =
        sourceCoeffs ? List.of("clip_id", "image", "coeffs") : List.of("clip_id", "image");
    sources.forEach(
        sourceColumns,
        g ->
            rows.add(
                RowFactory.create(
                    true,
                    string(g, "clip_id"),
                    null,
                    sourceCoeffs ? floats(g, "coeffs") : null,
                    bytes(g, "image"))));
    Map<String, long[]> counts = new HashMap<>();
    frames.forEach(
        List.of("clip_id", "frame_index", "coeffs"),
        g -> {
          String clip = string(g, "clip_id");
          Integer index = integer(g, "frame_index", frames.path());
          rows.add(RowFactory.create(false, clip, index, floats(g, "coeffs"), null));
          if (clip != null) {
            long[] c = counts.computeIfAbsent(clip, k -> new long[] {0, Long.MAX_VALUE, 0, 0});
            c[0]++;
            if (index != null) {
              c[1] = Math.min(c[1], index);
              c[2] = Math.max(c[2], index);
              c[3]++;
            }
          }
        });
    counts.forEach(
        (clip, c) ->
            clips.put(
                clip,
                new ClipPartitions.ClipFrames(
                    c[0],
                    c[3] == 0 ? null : (int) c[1],
                    c[3] == 0 ? null : (int) c[2],
                    0))); // the hash places clips in waves: a local run is one wave
    return rows;
  }

  private static boolean absent(Group g, String column) {
    return g.getFieldRepetitionCount(column) == 0;
  }

  private static String string(Group g, String column) {
    return absent(g, column) ? null : g.getString(column, 0);
  }

  /** Bytes, or a string column's UTF-8 bytes (base64 text), as Spark's cast to binary gives. */
  private static byte[] bytes(Group g, String column) {
    return absent(g, column) ? null : g.getBinary(column, 0).getBytes();
  }

  private static Integer integer(Group g, String column, String table) {
    if (absent(g, column)) {
      return null;
    }
    PrimitiveTypeName type = g.getType().getType(column).asPrimitiveType().getPrimitiveTypeName();
    if (type == PrimitiveTypeName.INT32) {
      return g.getInteger(column, 0);
    }
    long value = g.getLong(column, 0);
    if (value != (int) value) {
      throw new InputException(
          "The frames table at "
              + table
              + " has "
              + column
              + " "
              + value
              + ", which does not fit a 32-bit int: frame indexes must be below 2^31");
    }
    return (int) value;
  }

  /** A list column (either Parquet list layout, or a bare repeated field) as floats; nulls kept. */
  private static scala.collection.Seq<Float> floats(Group g, String column) {
    if (absent(g, column)) {
      return null;
    }
    Type field = g.getType().getType(column);
    List<Float> values = new ArrayList<>();
    if (field.isPrimitive()) {
      for (int k = 0; k < g.getFieldRepetitionCount(column); k++) {
        values.add(number(g, field.getName(), k, field));
      }
    } else {
      Group list = g.getGroup(column, 0);
      GroupType listType = list.getType();
      Type repeated = listType.getType(0);
      int n = list.getFieldRepetitionCount(0);
      for (int k = 0; k < n; k++) {
        if (repeated.isPrimitive()) {
          values.add(number(list, repeated.getName(), k, repeated));
        } else {
          Group element = list.getGroup(0, k);
          Type inner = repeated.asGroupType().getType(0);
          values.add(
              element.getFieldRepetitionCount(0) == 0
                  ? null
                  : number(element, inner.getName(), 0, inner));
        }
      }
    }
    return CollectionConverters.asScala(values).toSeq();
  }

  private static Float number(Group g, String name, int k, Type type) {
    return switch (type.asPrimitiveType().getPrimitiveTypeName()) {
      case FLOAT -> g.getFloat(name, k);
      case DOUBLE -> (float) g.getDouble(name, k);
      case INT64 -> (float) g.getLong(name, k);
      default -> (float) g.getInteger(name, k);
    };
  }
}
