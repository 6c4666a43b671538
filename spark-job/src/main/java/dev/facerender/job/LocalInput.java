package dev.facerender.job;

import dev.facerender.io.InputException;
import dev.facerender.io.ParquetTable;
import dev.facerender.io.Schemas;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    return Schemas.sameType(sourcesSchema.apply("image").dataType(), DataTypes.StringType);
  }

  /** Source rows then frame rows, in file order; {@code clips} gets each clip's frames. */
  List<Row> rows(Map<String, ClipPartitions.ClipFrames> clips) {
    List<Row> rows = new ArrayList<>();
    boolean sourceCoeffs = Schemas.has(sourcesSchema, "coeffs");
    List<String> sourceColumns =
        sourceCoeffs ? List.of("clip_id", "image", "coeffs") : List.of("clip_id", "image");
    sources.forEach(
        sourceColumns,
        v ->
            rows.add(
                RowFactory.create(
                    true, v[0], null, sourceCoeffs ? floats(v[2]) : null, bytes(v[1]))));
    Map<String, long[]> counts = new HashMap<>();
    frames.forEach(
        List.of("clip_id", "frame_index", "coeffs"),
        v -> {
          String clip = (String) v[0];
          Integer index = index(v[1], frames.path());
          rows.add(RowFactory.create(false, clip, index, floats(v[2]), null));
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

  /** Bytes, or a string column's UTF-8 bytes (base64 text), as Spark's cast to binary gives. */
  private static byte[] bytes(Object value) {
    return value instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : (byte[]) value;
  }

  private static Integer index(Object value, String table) {
    if (value == null || value instanceof Integer) {
      return (Integer) value;
    }
    long wide = ((Number) value).longValue();
    if (wide != (int) wide) {
      throw new InputException(
          "The frames table at "
              + table
              + " has frame_index "
              + wide
              + ", which does not fit a 32-bit int: frame indexes must be below 2^31");
    }
    return (int) wide;
  }

  /** A list of numbers as the float array Spark's cast gives; null elements kept. */
  private static scala.collection.Seq<Float> floats(Object value) {
    if (value == null) {
      return null;
    }
    List<?> numbers = (List<?>) value;
    List<Float> values = new ArrayList<>(numbers.size());
    for (Object n : numbers) {
      values.add(n == null ? null : ((Number) n).floatValue());
    }
    return CollectionConverters.asScala(values).toSeq();
  }
}
