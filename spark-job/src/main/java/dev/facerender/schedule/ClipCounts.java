package dev.facerender.schedule;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * Each clip's frame rows, counted in one pass over the frames table: the run's total, each wave's
 * share, the balance of each wave's partitions and the report's sample all come from it. Rows
 * without a clip id are counted apart (they become error rows in whichever wave their null id
 * hashes to).
 */
public final class ClipCounts {
  private final Map<String, ClipPartitions.ClipFrames> clips;
  private final long withoutClip;

  private ClipCounts(Map<String, ClipPartitions.ClipFrames> clips, long withoutClip) {
    this.clips = Map.copyOf(clips);
    this.withoutClip = withoutClip;
  }

  /**
   * Counts already made ({@code clips} with their {@link Waves#clipHash}); {@code withoutClip}
   * apart.
   */
  public static ClipCounts of(Map<String, ClipPartitions.ClipFrames> clips, long withoutClip) {
    return new ClipCounts(clips, withoutClip);
  }

  public static ClipCounts of(Dataset<Row> frames) {
    Map<String, ClipPartitions.ClipFrames> clips = new HashMap<>();
    long withoutClip = 0;
    var clipId = col("clip_id").cast(DataTypes.StringType);
    for (Row row :
        frames
            .groupBy(clipId.as("clip"))
            .agg(count(lit(1)), min("frame_index"), max("frame_index"), first(hash(clipId)))
            .collectAsList()) {
      if (row.isNullAt(0)) {
        withoutClip += row.getLong(1);
        continue;
      }
      clips.put(
          row.getString(0),
          new ClipPartitions.ClipFrames(
              row.getLong(1),
              row.isNullAt(2) ? null : ((Number) row.get(2)).intValue(),
              row.isNullAt(3) ? null : ((Number) row.get(3)).intValue(),
              row.getInt(4)));
    }
    return new ClipCounts(clips, withoutClip);
  }

  public Map<String, ClipPartitions.ClipFrames> clips() {
    return clips;
  }

  public long total() {
    return withoutClip + clips.values().stream().mapToLong(ClipPartitions.ClipFrames::frames).sum();
  }

  /** Input frames per wave: what {@link Waves#of} puts in each. */
  public long[] waveFrames(int waves) {
    long[] counts = new long[waves];
    counts[Math.floorMod(Waves.SEED, waves)] += withoutClip;
    clips.values().forEach(c -> counts[Math.floorMod(c.hash(), waves)] += c.frames());
    return counts;
  }

  /** The clips of wave {@code wave} of {@code waves}, with their frame counts. */
  public Map<String, Long> wave(int wave, int waves) {
    Map<String, Long> counts = new HashMap<>();
    clips.forEach(
        (clip, c) -> {
          if (Math.floorMod(c.hash(), waves) == wave) {
            counts.put(clip, c.frames());
          }
        });
    return counts;
  }
}
