package dev.facerender.schedule.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import dev.facerender.schedule.AudioColumns;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The audio columns a video run adds to the stream ({@code FrameRows.INPUT_WITH_AUDIO}): a source
 * row's {@code audio} bytes (base64 text in JSON) or {@code audio_path}, and its clip's frame-row
 * count, to check the audio's length against; frame rows carry them empty.
 */
final class VideoInput {
  private VideoInput() {}

  /** The audio columns of the sources table; null values where the table has none. */
  static List<Column> audioColumns(StructType schema) {
    AudioColumns.check(schema);
    return List.of(
        column(schema, "audio", DataTypes.BinaryType).as("audio"),
        column(schema, "audio_path", DataTypes.StringType).as("audio_path"));
  }

  /** Source rows with their clip's frame-row count. */
  static Dataset<Row> withClipFrames(Dataset<Row> sourceRows, Dataset<Row> frames) {
    Dataset<Row> counts =
        frames
            .groupBy(col("clip_id").cast(DataTypes.StringType).as("counted_clip"))
            .agg(count(lit(1)).as("clip_frames"));
    return sourceRows
        .join(counts, sourceRows.col("clip_id").equalTo(counts.col("counted_clip")), "left")
        .drop("counted_clip");
  }

  /** Frame rows with the (empty) audio columns. */
  static Dataset<Row> framesWithAudio(Dataset<Row> frameRows) {
    return frameRows
        .withColumn("audio", lit(null).cast(DataTypes.BinaryType))
        .withColumn("audio_path", lit(null).cast(DataTypes.StringType))
        .withColumn("clip_frames", lit(null).cast(DataTypes.LongType));
  }

  private static Column column(StructType schema, String name, DataType type) {
    return List.of(schema.fieldNames()).contains(name)
        ? col(name).cast(type)
        : lit(null).cast(type);
  }
}
