package dev.facerender.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.facerender.metrics.FrameError;
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
record CommittedCounts(
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
  static CommittedCounts read(SparkSession spark, String frames, String errors, String runId) {
    return read(spark, frames, errors, null, runId);
  }

  /**
   * Counts {@code frames}, {@code errors} and, when not null, {@code videos} (a videos_manifest
   * folder), rows of {@code runId} only.
   */
  static CommittedCounts read(
      SparkSession spark, String frames, String errors, String videos, String runId) {
    Dataset<Row> f =
        spark.read().schema(FRAME_KEYS).parquet(frames).where(col("run_id").equalTo(runId));
    Dataset<Row> e =
        spark.read().schema(ERROR_KEYS).parquet(errors).where(col("run_id").equalTo(runId));
    Row fr =
        f.agg(
                count(lit(1)),
                countDistinct(col("clip_id"), col("frame_index")),
                countDistinct(col("clip_id")))
            .first();
    Row er =
        e.agg(
                count(lit(1)),
                sum(when(col("stage").notEqual(FrameError.SOURCE_ROW), 1).otherwise(0)))
            .first();
    long clips =
        f.select("clip_id")
            .union(e.where(col("stage").notEqual(FrameError.SOURCE_ROW)).select("clip_id"))
            .distinct()
            .count();
    return new CommittedCounts(
        fr.getLong(0),
        fr.getLong(1),
        er.getLong(0),
        er.isNullAt(1) ? 0 : er.getLong(1),
        clips,
        fr.getLong(2),
        videos == null ? null : VideoCounts.read(spark, videos, runId));
  }

  /** Frames that made it: frame rows, or the frames in videos when frames/ keeps none. */
  long accepted(boolean framesKept) {
    return videos != null && !framesKept ? videos.frames() : frameRows;
  }

  /**
   * Null when every one of {@code inputFrames} is in the tables exactly once (a frame row with its
   * own key, or an error row), else what is wrong, in numbers.
   */
  String problem(long inputFrames, String where) {
    return problem(inputFrames, where, true);
  }

  /**
   * As {@link #problem(long, String)}, with videos: one per clip with accepted frames, none twice,
   * holding those frames; {@code framesKept} says whether frames/ has them too.
   */
  String problem(long inputFrames, String where, boolean framesKept) {
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
