package dev.facerender.export;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.unbase64;

import dev.facerender.config.FacerenderConf;
import dev.facerender.config.VideoConf;
import dev.facerender.io.InputException;
import dev.facerender.io.Tables;
import dev.facerender.output.OutputFolder;
import dev.facerender.output.OutputLock;
import dev.facerender.output.Staging;
import dev.facerender.output.SuccessMarkers;
import dev.facerender.output.VideoRun;
import dev.facerender.partition.video.ExportVideosFunction;
import dev.facerender.video.VideoOptions;
import dev.facerender.video.VideoOutput;
import dev.facerender.video.mp4.H264Encoders;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * MP4s from a finished run's frames ({@code png}, {@code jpeg} or {@code raw}): one per clip, its
 * audio from the sources table when one is given, encoded on the executors, staged per task attempt
 * and committed into {@code videos/} with its {@code videos_manifest/} once ({@link ExportCommit}),
 * under the folder's lock.
 */
public final class VideoExport {
  /** What an export committed. */
  public record Result(long videos, long frames, String videosDir) {}

  private VideoExport() {}

  /**
   * Exports the frames of {@code clips} (all when empty) of the finished run in {@code run}; {@code
   * sources} (may be null) gives audio; {@code conf} the video settings (Spark keys).
   */
  public static Result export(
      SparkSession spark,
      String run,
      String sources,
      String inputFormat,
      Map<String, String> conf,
      List<String> clips) {
    Map<String, String> values = new HashMap<>(conf);
    values.put(VideoConf.VIDEO.key(), "mp4");
    FacerenderConf.validate(values);
    VideoOptions options = VideoConf.options(values);
    // An encoder this build lacks stops the export before any task.
    H264Encoders.choose(options.encoder());
    OutputFolder out = OutputFolder.of(spark, run);
    if (!out.exists(SuccessMarkers.NAME)) {
      throw new InputException(
          "No finished run in "
              + out
              + " (no _SUCCESS): export reads the --out folder of a run that succeeded");
    }
    String exportId =
        ExportCommit.EXPORT_PREFIX
            + Instant.now().toString().replaceAll("[^0-9]", "").substring(0, 14)
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    try (OutputLock lock = OutputLock.acquire(out, exportId)) {
      ExportCommit commit = new ExportCommit(spark, out, exportId, options);
      commit.finishEarlier();
      commit.refuseExisting();
      Dataset<Row> frames = spark.read().parquet(out.child("frames"));
      if (!clips.isEmpty()) {
        frames = frames.where(col("clip_id").isin(clips.toArray()));
      }
      long frameRows = frames.count();
      if (frameRows == 0) {
        throw new InputException(
            "No frame rows to export in "
                + out.child("frames")
                + (clips.isEmpty() ? "" : " for clips " + clips)
                + ": a run with --frames-format none has its videos already");
      }
      String staging = Staging.ROOT + "/" + exportId;
      VideoOutput output =
          new VideoOutput(
              out.child(staging + "/" + VideoRun.VIDEOS),
              new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
      int partitions =
          (int) Math.max(1, Math.min(2L * spark.sparkContext().defaultParallelism(), frameRows));
      List<Row> staged =
          stream(spark, frames, sources, inputFormat)
              .repartition(partitions, col("clip_id"))
              .sortWithinPartitions(col("clip_id"), col("is_audio").desc(), col("frame_index"))
              .mapPartitions(
                  new ExportVideosFunction(options, output),
                  Encoders.row(ExportVideosFunction.OUTPUT))
              .collectAsList();
      lock.check();
      return commit.commit(staged, staging, frameRows);
    }
  }

  /**
   * Each clip's audio row (when sources are given) and its frames, as ExportVideosFunction reads.
   */
  private static Dataset<Row> stream(
      SparkSession spark, Dataset<Row> frames, String sources, String inputFormat) {
    Dataset<Row> frameRows =
        frames.select(
            col("clip_id").cast(DataTypes.StringType).as("clip_id"),
            lit(false).as("is_audio"),
            col("frame_index").cast(DataTypes.IntegerType).as("frame_index"),
            col("width").cast(DataTypes.IntegerType).as("width"),
            col("height").cast(DataTypes.IntegerType).as("height"),
            col("format").cast(DataTypes.StringType).as("format"),
            col("image").cast(DataTypes.BinaryType).as("image"),
            col("run_id").cast(DataTypes.StringType).as("run_id"),
            lit(null).cast(DataTypes.BinaryType).as("audio"),
            lit(null).cast(DataTypes.StringType).as("audio_path"),
            lit(null).cast(DataTypes.LongType).as("clip_frames"));
    if (sources == null) {
      return frameRows;
    }
    Dataset<Row> table = Tables.read(spark, sources, inputFormat);
    StructType schema = table.schema();
    List<String> names = List.of(schema.fieldNames());
    if (!names.contains("clip_id")) {
      throw new InputException("The sources table " + sources + " has no clip_id column");
    }
    Column audio =
        !names.contains("audio")
            ? lit(null).cast(DataTypes.BinaryType)
            : schema.apply("audio").dataType().sameType(DataTypes.StringType)
                ? unbase64(col("audio"))
                : col("audio").cast(DataTypes.BinaryType);
    Column path =
        names.contains("audio_path")
            ? col("audio_path").cast(DataTypes.StringType)
            : lit(null).cast(DataTypes.StringType);
    Dataset<Row> counts =
        frames
            .groupBy(col("clip_id").cast(DataTypes.StringType).as("counted_clip"))
            .agg(count(lit(1)).as("clip_frames"));
    Dataset<Row> audioRows =
        table
            .select(
                col("clip_id").cast(DataTypes.StringType).as("clip_id"),
                audio.as("audio"),
                path.as("audio_path"))
            .join(counts, col("clip_id").equalTo(col("counted_clip")), "inner")
            .select(
                col("clip_id"),
                lit(true).as("is_audio"),
                lit(null).cast(DataTypes.IntegerType).as("frame_index"),
                lit(null).cast(DataTypes.IntegerType).as("width"),
                lit(null).cast(DataTypes.IntegerType).as("height"),
                lit(null).cast(DataTypes.StringType).as("format"),
                lit(null).cast(DataTypes.BinaryType).as("image"),
                lit(null).cast(DataTypes.StringType).as("run_id"),
                col("audio"),
                col("audio_path"),
                col("clip_frames"));
    return audioRows.unionByName(frameRows);
  }
}
