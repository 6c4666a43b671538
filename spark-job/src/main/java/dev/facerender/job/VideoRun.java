package dev.facerender.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import dev.facerender.io.InputException;
import dev.facerender.io.SafeNames;
import dev.facerender.metrics.VideoFile;
import dev.facerender.partition.RenderSettings;
import dev.facerender.video.H264Encoders;
import dev.facerender.video.VideoOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The driver's part of a video run: the audio columns of the input, the accumulator that carries
 * each successful attempt's staged MP4s, and the commit that renames exactly those to {@code
 * videos/<clip>.mp4} and writes the {@code videos_manifest/} table. Not serializable.
 */
final class VideoRun {
  static final String VIDEOS = "videos";
  static final String MANIFEST = "videos_manifest";
  private static final String STAGING = VIDEOS + "/_temporary";

  static final StructType MANIFEST_SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("clip_id", DataTypes.StringType, false)
          .add("file", DataTypes.StringType, false)
          .add("frames", DataTypes.LongType, false)
          .add("fps", DataTypes.StringType, false)
          .add("duration_seconds", DataTypes.DoubleType, false)
          .add("encoder", DataTypes.StringType, false)
          .add("audio_seconds", DataTypes.DoubleType, false)
          .add("audio", DataTypes.StringType, false)
          .add("bytes", DataTypes.LongType, false)
          .add("encode_seconds", DataTypes.DoubleType, false)
          .add("partition", DataTypes.IntegerType, false)
          .add("attempt", DataTypes.IntegerType, false);

  private final SparkSession spark;
  private final OutputFolder out;
  private final VideoOutput output;
  private final CollectionAccumulator<VideoFile> staged;

  private VideoRun(SparkSession spark, OutputFolder out, String runId, String encoder) {
    // An encoder this build lacks (libx264 in the LGPL build) stops the run before any task.
    H264Encoders.choose(encoder);
    this.spark = spark;
    this.out = out;
    this.output =
        new VideoOutput(
            out.child(STAGING + "/" + runId),
            new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
    this.staged = spark.sparkContext().collectionAccumulator("videos");
  }

  /** The run's video part, or null when {@code settings} make no video. */
  static VideoRun of(SparkSession spark, RenderSettings settings, OutputFolder out) {
    return settings.hasVideo()
        ? new VideoRun(spark, out, settings.runId(), settings.video().encoder())
        : null;
  }

  VideoOutput output() {
    return output;
  }

  CollectionAccumulator<VideoFile> staged() {
    return staged;
  }

  /**
   * The audio columns of the stream's source rows: an {@code audio} column of bytes (base64 text in
   * JSON), or an {@code audio_path} column; null where the table has none.
   */
  List<Column> audioColumns(StructType schema) {
    DataType image = schema.apply("image").dataType();
    checkType(schema, "audio", image, "the image column's type (" + image.simpleString() + ")");
    checkType(schema, "audio_path", DataTypes.StringType, "string");
    return List.of(
        column(schema, "audio", DataTypes.BinaryType).as("audio"),
        column(schema, "audio_path", DataTypes.StringType).as("audio_path"));
  }

  /** Source rows with their clip's frame-row count, to check the audio's length against. */
  static Dataset<Row> withClipFrames(Dataset<Row> sourceRows, Dataset<Row> frames) {
    Dataset<Row> counts =
        frames
            .groupBy(col("clip_id").cast(DataTypes.StringType).as("counted_clip"))
            .agg(count(lit(1)).as("clip_frames"));
    return sourceRows
        .join(counts, sourceRows.col("clip_id").equalTo(counts.col("counted_clip")), "left")
        .drop("counted_clip");
  }

  /** The frame rows of the stream with the (empty) audio columns. */
  static Dataset<Row> framesWithAudio(Dataset<Row> selected) {
    return selected
        .withColumn("audio", lit(null).cast(DataTypes.BinaryType))
        .withColumn("audio_path", lit(null).cast(DataTypes.StringType))
        .withColumn("clip_frames", lit(null).cast(DataTypes.LongType));
  }

  /**
   * Renames each staged file of a successful attempt to {@code videos/<clip>.mp4}, deletes what
   * failed or lost attempts left, and writes the manifest. Returns why the run's videos cannot be
   * trusted (a clip twice, or frames in videos that do not add up to the rendered frames), or null.
   */
  String commit(long renderedFrames, String mode) {
    List<VideoFile> files = new ArrayList<>(staged.value());
    files.sort(Comparator.comparing(VideoFile::clipId));
    Set<String> clips = new HashSet<>();
    List<Row> rows = new ArrayList<>();
    try {
      Path videos = new Path(out.child(VIDEOS));
      FileSystem fs = videos.getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (VideoFile file : files) {
        if (!clips.add(file.clipId())) {
          return "Clip '" + file.clipId() + "' has two videos: the output is not trustworthy.";
        }
        String name = SafeNames.of(file.clipId()) + ".mp4";
        Path target = new Path(videos, name);
        // Append re-renders a clip: its newer video replaces the older one.
        fs.delete(target, false);
        if (!fs.rename(new Path(file.stagedPath()), target)) {
          throw new IOException("rename of " + file.stagedPath() + " to " + target + " failed");
        }
        rows.add(row(file, VIDEOS + "/" + name));
      }
      fs.delete(new Path(out.child(STAGING)), true);
    } catch (IOException e) {
      throw new UncheckedIOException("committing videos", e);
    }
    spark
        .createDataFrame(rows, MANIFEST_SCHEMA)
        .coalesce(1)
        .write()
        .mode(mode.equals("append") ? SaveMode.Append : SaveMode.ErrorIfExists)
        .parquet(out.child(MANIFEST));
    long inVideos = files.stream().mapToLong(VideoFile::frames).sum();
    if (inVideos != renderedFrames) {
      return "Accounting broke: "
          + renderedFrames
          + " rendered frames but "
          + inVideos
          + " in videos. Output in "
          + out
          + " is not trustworthy.";
    }
    return null;
  }

  private static Row row(VideoFile f, String file) {
    return RowFactory.create(
        f.runId(),
        f.clipId(),
        file,
        f.frames(),
        f.fps(),
        f.seconds(),
        f.encoder(),
        f.audioSeconds(),
        f.audio(),
        f.bytes(),
        f.encodeNanos() / 1e9,
        f.partition(),
        f.attempt());
  }

  private static Column column(StructType schema, String name, DataType type) {
    return List.of(schema.fieldNames()).contains(name)
        ? col(name).cast(type)
        : lit(null).cast(type);
  }

  private static void checkType(StructType schema, String name, DataType wanted, String what) {
    if (List.of(schema.fieldNames()).contains(name)
        && !schema.apply(name).dataType().sameType(wanted)) {
      throw new InputException(
          "The sources table's column '"
              + name
              + "' is "
              + schema.apply(name).dataType().simpleString()
              + ", wanted "
              + what);
    }
  }
}
