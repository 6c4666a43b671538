package dev.facerender.output;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** What a {@code videos_manifest} table lists for one run: videos, distinct clips, frames. */
public record VideoCounts(long rows, long clips, long frames) {
  static VideoCounts read(SparkSession spark, String manifest, String runId) {
    Row r =
        spark
            .read()
            .schema(VideoRun.MANIFEST_SCHEMA)
            .parquet(manifest)
            .where(col("run_id").equalTo(runId))
            .agg(count(lit(1)), countDistinct(col("clip_id")), sum(col("frames")))
            .first();
    return new VideoCounts(r.getLong(0), r.getLong(1), r.isNullAt(2) ? 0 : r.getLong(2));
  }

  /**
   * Null when each clip has one video and, with frames/ kept ({@code framesKept}), the videos hold
   * exactly the frame rows, one video per clip that has any; else what is wrong, in numbers.
   */
  String problem(CommittedCounts tables, boolean framesKept, String where) {
    if (rows != clips) {
      return where + " lists " + rows + " videos for " + clips + " clips: a clip has two videos";
    }
    if (!framesKept) {
      return null;
    }
    if (clips != tables.frameClips()) {
      return where
          + " has "
          + tables.frameClips()
          + " clips with frames but "
          + clips
          + " videos: one MP4 per clip with accepted frames";
    }
    if (frames != tables.frameRows()) {
      return where
          + " holds "
          + tables.frameRows()
          + " frame rows but "
          + frames
          + " frames in videos";
    }
    return null;
  }
}
