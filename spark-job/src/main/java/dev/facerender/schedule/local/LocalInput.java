package dev.facerender.schedule.local;

import dev.facerender.io.ParquetTable;
import dev.facerender.io.Schemas;
import dev.facerender.output.query.Fold;
import dev.facerender.schedule.AudioColumns;
import dev.facerender.schedule.ClipCounts;
import dev.facerender.schedule.ClipPartitions;
import dev.facerender.schedule.InputLayout;
import dev.facerender.schedule.RunInput;
import dev.facerender.schedule.Waves;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The local scheduler's input: both tables checked as {@code spark.RenderInput} checks them (same
 * messages), counted per clip from their key columns, and read wave by wave into rows laid out as
 * {@link InputLayout} says, with the casts {@code spark.RenderInput.stream} applies.
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
    List<InputLayout.Column> layout = InputLayout.columns(video);
    List<Row> rows = new ArrayList<>();
    read(sources, sourcesSchema, layout, true, wave, waves, clips, rows);
    read(frames, framesSchema, layout, false, wave, waves, clips, rows);
    return rows;
  }

  /** One table's rows of wave {@code wave}, laid out as {@link InputLayout} says. */
  private static void read(
      ParquetTable table,
      StructType schema,
      List<InputLayout.Column> layout,
      boolean source,
      int wave,
      int waves,
      ClipCounts clips,
      List<Row> rows) {
    // The input columns this kind of row reads, clip_id first (for the wave), as the table has
    // them.
    List<String> read = new ArrayList<>(List.of("clip_id"));
    for (InputLayout.Column c : layout) {
      if (c.from(source) == InputLayout.From.INPUT
          && !read.contains(c.name())
          && Schemas.has(schema, c.name())) {
        read.add(c.name());
      }
    }
    table.forEach(
        read,
        v -> {
          String clip = (String) v[0];
          if (Waves.ofClip(clip, waves) != wave) {
            return;
          }
          Object[] row = new Object[layout.size()];
          for (int i = 0; i < row.length; i++) {
            InputLayout.Column c = layout.get(i);
            row[i] =
                switch (c.from(source)) {
                  case TRUE -> true;
                  case FALSE -> false;
                  case NULL -> null;
                  case CLIP_FRAMES -> clipFrames(clips, clip);
                  case INPUT -> {
                    int at = read.indexOf(c.name());
                    yield at < 0 ? null : cast(v[at], c.type(), table.path());
                  }
                };
          }
          rows.add(RowFactory.create(row));
        });
  }

  private static Long clipFrames(ClipCounts clips, String clip) {
    ClipPartitions.ClipFrames counted = clip == null ? null : clips.clips().get(clip);
    return counted == null ? null : counted.frames();
  }

  /** A value read from the table as Spark's cast to the layout's {@code type} gives it. */
  private static Object cast(Object value, DataType type, String table) {
    if (value == null) {
      return null;
    }
    if (type instanceof ArrayType) {
      return floats(value);
    }
    if (type.equals(DataTypes.IntegerType)) {
      return index(value, table);
    }
    if (type.equals(DataTypes.BinaryType)) {
      return bytes(value);
    }
    return value;
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
      throw ClipCounts.tooWide(table, wide);
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
