package dev.facerender.schedule.local;

import dev.facerender.io.InputException;
import dev.facerender.io.ParquetTable;
import dev.facerender.io.Schemas;
import dev.facerender.output.query.Fold;
import dev.facerender.schedule.AudioColumns;
import dev.facerender.schedule.ClipCounts;
import dev.facerender.schedule.ClipPartitions;
import dev.facerender.schedule.RunInput;
import dev.facerender.schedule.Waves;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The local scheduler's input: both tables checked as {@code spark.RenderInput} checks them (same
 * messages), counted per clip from their key columns, and read wave by wave into rows of {@code
 * FrameRows.INPUT} with the casts {@code spark.RenderInput.stream} applies.
 */
public final class LocalInput implements RunInput {
  private final ParquetTable frames;
  private final ParquetTable sources;
  private final StructType framesSchema;
  private final StructType sourcesSchema;

  LocalInput(ParquetTable frames, ParquetTable sources) {
    this.frames = frames;
    this.sources = sources;
    framesSchema = frames.sparkSchema();
    Schemas.check("frames", frames.path(), framesSchema, Schemas.FRAMES);
    sourcesSchema = sources.sparkSchema();
    Schemas.check("sources", sources.path(), sourcesSchema, Schemas.SOURCES);
  }

  @Override
  public StructType framesSchema() {
    return framesSchema;
  }

  @Override
  public StructType sourcesSchema() {
    return sourcesSchema;
  }

  /** The key columns, file by file, as one part. */
  @Override
  public <P extends Fold<P>> P foldFrameKeys(Fold.Zero<P> zero) {
    P part = zero.get();
    frames.forEach(List.of("clip_id", "frame_index"), v -> part.add(0, v));
    part.settle();
    return part;
  }

  @Override
  public String framesTable() {
    return frames.path();
  }

  /**
   * Source rows then frame rows of wave {@code wave} of {@code waves}, in file order; for a video
   * run ({@code clips} not null), rows of {@code FrameRows.INPUT_WITH_AUDIO}: sources with their
   * audio and their clip's frame count, frames with those empty.
   */
  List<Row> rows(int wave, int waves, ClipCounts clips) {
    boolean video = clips != null;
    if (video) {
      AudioColumns.check(sourcesSchema);
    }
    List<String> sourceColumns = new ArrayList<>(List.of("clip_id", "image"));
    for (String optional : video ? List.of("coeffs", "audio", "audio_path") : List.of("coeffs")) {
      if (Schemas.has(sourcesSchema, optional)) {
        sourceColumns.add(optional);
      }
    }
    List<Row> rows = new ArrayList<>();
    sources.forEach(
        sourceColumns,
        v -> {
          String clip = (String) v[0];
          if (Waves.ofClip(clip, waves) != wave) {
            return;
          }
          List<Object> row = new ArrayList<>(8);
          row.addAll(
              Arrays.asList(
                  true, clip, null, floats(value(v, sourceColumns, "coeffs")), bytes(v[1])));
          if (video) {
            ClipPartitions.ClipFrames counted = clip == null ? null : clips.clips().get(clip);
            row.addAll(
                Arrays.asList(
                    bytes(value(v, sourceColumns, "audio")),
                    value(v, sourceColumns, "audio_path"),
                    counted == null ? null : counted.frames()));
          }
          rows.add(RowFactory.create(row.toArray()));
        });
    frames.forEach(
        List.of("clip_id", "frame_index", "coeffs"),
        v -> {
          if (Waves.ofClip((String) v[0], waves) == wave) {
            Integer index = index(v[1], frames.path());
            rows.add(
                video
                    ? RowFactory.create(false, v[0], index, floats(v[2]), null, null, null, null)
                    : RowFactory.create(false, v[0], index, floats(v[2]), null));
          }
        });
    return rows;
  }

  /** The value of {@code column} in {@code values} read as {@code columns}, or null without it. */
  private static Object value(Object[] values, List<String> columns, String column) {
    int at = columns.indexOf(column);
    return at < 0 ? null : values[at];
  }

  /** Bytes, or a string column's UTF-8 bytes (base64 text), as Spark's cast to binary gives. */
  private static byte[] bytes(Object value) {
    if (value == null) {
      return null;
    }
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
