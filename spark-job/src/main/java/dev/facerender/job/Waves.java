package dev.facerender.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataTypes;

/**
 * A run cut into waves of clips: a clip belongs to wave {@code pmod(hash(clip_id), waves)}, Spark's
 * Murmur3 hash, the same on every machine and version, so a resumed run puts every clip in the wave
 * it had (the wave count is kept in the run's manifest). A clip's source and frames always share a
 * wave, and the driver never holds a list of clips.
 */
final class Waves {
  private Waves() {}

  /**
   * How many waves {@code inputFrames} make at about {@code waveFrames} frames each (at least 1).
   */
  static int count(long inputFrames, long waveFrames) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ceilDiv(inputFrames, waveFrames)));
  }

  /** The wave of each row's {@code clip_id}. */
  static Column of(int waves) {
    return pmod(hash(col("clip_id").cast(DataTypes.StringType)), lit(waves));
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
