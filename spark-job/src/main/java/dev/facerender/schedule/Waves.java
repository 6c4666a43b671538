package dev.facerender.schedule;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;

import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.hash.Murmur3_x86_32;

/**
 * A run cut into waves of clips: a clip belongs to wave {@code pmod(hash(clip_id), waves)}, Spark's
 * Murmur3 hash, the same on every machine and version, so a resumed run puts every clip in the wave
 * it had (the wave count is kept in the run's manifest). A clip's source and frames always share a
 * wave, and the driver never holds a list of clips.
 */
public final class Waves {
  /** The seed of Spark's {@code hash()}, and its hash of a null value. */
  static final int SEED = 42;

  private Waves() {}

  /**
   * How many waves {@code inputFrames} make at about {@code waveFrames} frames each (at least 1).
   */
  public static int count(long inputFrames, long waveFrames) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ceilDiv(inputFrames, waveFrames)));
  }

  /** The wave of each row's {@code clip_id}. */
  public static Column of(int waves) {
    return pmod(hash(col("clip_id").cast(DataTypes.StringType)), lit(waves));
  }

  /** Spark's {@code hash()} of a clip id (of null: its seed), as {@link #of} computes it. */
  public static int clipHash(String clipId) {
    if (clipId == null) {
      return SEED;
    }
    byte[] utf8 = clipId.getBytes(StandardCharsets.UTF_8);
    return Murmur3_x86_32.hashUnsafeBytes(utf8, Platform.BYTE_ARRAY_OFFSET, utf8.length, SEED);
  }

  /** The wave of {@code waves} that a clip of this id belongs to, as {@link #of} says. */
  public static int ofClip(String clipId, int waves) {
    return Math.floorMod(clipHash(clipId), waves);
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
