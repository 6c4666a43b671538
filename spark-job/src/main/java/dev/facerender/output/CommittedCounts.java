package dev.facerender.output;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.facerender.metrics.FrameError;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What a run's tables hold, read back from the files: rows and distinct (clip_id, frame_index) keys
 * of frames and errors, clips (all, and those with frame rows), and for a video run what its {@code
 * videos_manifest} lists ({@code videos}, else null). Only key columns are read (Parquet reads
 * columns by name), never the images, so it costs a scan of a few bytes per row.
 */
public record CommittedCounts(
    long frameRows,
    long frameKeys,
    long errorRows,
    long errorFrames,
    long clips,
    long frameClips,
    VideoCounts videos) {
  private static final StructType FRAME_KEYS =
      new StructType()
          .add("clip_id", DataTypes.StringType)
          .add("frame_index", DataTypes.IntegerType)
          .add("run_id", DataTypes.StringType);
  private static final StructType ERROR_KEYS = FRAME_KEYS.add("stage", DataTypes.StringType);

  /** Counts {@code frames} and {@code errors} (table folders), rows of {@code runId} only. */
  public static CommittedCounts read(
      SparkSession spark, String frames, String errors, String runId) {
    return read(spark, frames, errors, null, runId);
  }

  /**
   * Counts {@code frames}, {@code errors} and, when not null, {@code videos} (a videos_manifest
   * folder), rows of {@code runId} only. One query: both tables' keys grouped by (clip_id,
   * frame_index), then by clip, then summed; every count is read off that one pass (each Spark job
   * costs a few hundred milliseconds of scheduling on a small run, whatever it reads).
   */
  public static CommittedCounts read(
      SparkSession spark, String frames, String errors, String videos, String runId) {
    Column errorFrame = when(col("stage").notEqual(FrameError.SOURCE_ROW), 1).otherwise(0);
    Dataset<Row> keys =
        spark
            .read()
            .schema(FRAME_KEYS)
            .parquet(frames)
            .where(col("run_id").equalTo(runId))
            .select(
                col("clip_id"),
                col("frame_index"),
                lit(1).as("frame_rows"),
                lit(0).as("error_frames"),
                lit(0).as("error_rows"))
            .unionAll(
                spark
                    .read()
                    .schema(ERROR_KEYS)
                    .parquet(errors)
                    .where(col("run_id").equalTo(runId))
                    .select(
                        col("clip_id"),
                        col("frame_index"),
                        lit(0).as("frame_rows"),
                        errorFrame.as("error_frames"),
                        lit(1).as("error_rows")));
    Row totals =
        keys.groupBy("clip_id", "frame_index")
            .agg(
                sum("frame_rows").as("frame_rows"),
                sum("error_frames").as("error_frames"),
                sum("error_rows").as("error_rows"))
            .groupBy("clip_id")
            .agg(
                sum("frame_rows").as("frame_rows"),
                count(when(col("frame_rows").gt(0), 1)).as("frame_keys"),
                sum("error_frames").as("error_frames"),
                sum("error_rows").as("error_rows"))
            .agg(
                sum("frame_rows"),
                sum("frame_keys"),
                sum("error_rows"),
                sum("error_frames"),
                count(when(col("frame_rows").gt(0).or(col("error_frames").gt(0)), 1)),
                count(when(col("frame_rows").gt(0), 1)))
            .first();
    return new CommittedCounts(
        longOrZero(totals, 0),
        longOrZero(totals, 1),
        longOrZero(totals, 2),
        longOrZero(totals, 3),
        totals.getLong(4),
        totals.getLong(5),
        videos == null ? null : VideoCounts.read(spark, videos, runId));
  }

  /** These counts with what a videos_manifest lists, read apart. */
  public CommittedCounts withVideos(VideoCounts listed) {
    return new CommittedCounts(
        frameRows, frameKeys, errorRows, errorFrames, clips, frameClips, listed);
  }

  /** A sum over no rows is null. */
  private static long longOrZero(Row row, int i) {
    return row.isNullAt(i) ? 0 : row.getLong(i);
  }

  /** Frames that made it: frame rows, or the frames in videos when frames/ keeps none. */
  public long accepted(boolean framesKept) {
    return videos != null && !framesKept ? videos.frames() : frameRows;
  }

  /**
   * Null when every one of {@code inputFrames} is in the tables exactly once (a frame row with its
   * own key, or an error row), else what is wrong, in numbers.
   */
  public String problem(long inputFrames, String where) {
    return problem(inputFrames, where, true);
  }

  /**
   * As {@link #problem(long, String)}, with videos: one per clip with accepted frames, none twice,
   * holding those frames; {@code framesKept} says whether frames/ has them too.
   */
  public String problem(long inputFrames, String where, boolean framesKept) {
    String videoProblem = videos == null ? null : videos.problem(this, framesKept, where);
    if (videoProblem != null) {
      return videoProblem;
    }
    long accepted = accepted(framesKept);
    if (frameRows != frameKeys) {
      return where
          + " holds "
          + frameRows
          + " frame rows but "
          + frameKeys
          + " distinct (clip_id, frame_index) keys: "
          + (frameRows - frameKeys)
          + " duplicate frames";
    }
    if (accepted + errorFrames != inputFrames) {
      return where
          + " holds "
          + accepted
          + " frames + "
          + errorFrames
          + " rejected frames = "
          + (accepted + errorFrames)
          + ", but the input has "
          + inputFrames
          + " frames: "
          + (accepted + errorFrames < inputFrames ? "frames are missing" : "frames are extra");
    }
    return null;
  }
}
