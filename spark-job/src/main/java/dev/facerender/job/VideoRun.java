package dev.facerender.job;

import static org.apache.spark.sql.functions.col;

import dev.facerender.config.OutputFormat;
import dev.facerender.partition.RenderSettings;
import dev.facerender.video.H264Encoders;
import dev.facerender.video.VideoOutput;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The driver's part of a video run: where each wave's tasks stage their MP4s ({@code <wave
 * staging>/videos}, names unique to each attempt), the {@code videos_manifest} table's schema, and
 * the check of the committed videos against that table. Each wave's own videos are read, checked
 * and moved by {@link WaveVideos} through the wave's commit. Not serializable.
 */
final class VideoRun {
  static final String VIDEOS = "videos";
  static final String MANIFEST = "videos_manifest";

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
  private final SerializableConfiguration hadoop;
  private final boolean framesKept;

  private VideoRun(SparkSession spark, OutputFolder out, RenderSettings settings) {
    // An encoder this build lacks (libx264 in the LGPL build) stops the run before any task.
    H264Encoders.choose(settings.video().encoder());
    this.spark = spark;
    this.out = out;
    this.hadoop = new SerializableConfiguration(spark.sparkContext().hadoopConfiguration());
    this.framesKept = settings.format() != OutputFormat.NONE;
  }

  /** The run's video part, or null when {@code settings} make no video. */
  static VideoRun of(SparkSession spark, RenderSettings settings, OutputFolder out) {
    return settings.hasVideo() ? new VideoRun(spark, out, settings) : null;
  }

  /** Whether frames/ keeps the frames too (else the videos are the only copy). */
  boolean framesKept() {
    return framesKept;
  }

  /** Where the tasks of the wave staged in {@code staging} put their MP4s. */
  VideoOutput output(String staging) {
    return new VideoOutput(out.child(staging + "/" + VIDEOS), hadoop);
  }

  /** The final name of a clip's video, relative to the output folder. */
  static String file(String clipId) {
    return VIDEOS + "/" + dev.facerender.io.SafeNames.of(clipId) + ".mp4";
  }

  /**
   * Checks the committed videos of run {@code runId} by a listing of {@code videos/} against the
   * manifest table: each of its files there once, whole (the size the task recorded). Returns what
   * is wrong, or null. Decodes nothing.
   */
  static String checkCommitted(SparkSession spark, OutputFolder out, String runId) {
    if (!out.exists(MANIFEST)) {
      return "the run makes videos but " + out.child(MANIFEST) + " is missing";
    }
    List<Row> recorded =
        spark
            .read()
            .schema(MANIFEST_SCHEMA)
            .parquet(out.child(MANIFEST))
            .where(col("run_id").equalTo(runId))
            .select("file", "bytes")
            .collectAsList();
    Map<String, Long> listed = new HashMap<>();
    out.sizes(VIDEOS).forEach((name, size) -> listed.put(VIDEOS + "/" + name, size));
    Map<String, Long> seen = new HashMap<>();
    for (Row row : recorded) {
      String file = row.getString(0);
      long bytes = row.getLong(1);
      if (seen.put(file, bytes) != null) {
        return file + " is in " + MANIFEST + " twice: a clip has two videos";
      }
      Long size = listed.get(file);
      if (size == null) {
        return file + " is in " + MANIFEST + " but not in " + out.child(VIDEOS);
      }
      if (size != bytes) {
        return file + " holds " + size + " bytes, its task wrote " + bytes + ": a partial video";
      }
    }
    return null;
  }
}
