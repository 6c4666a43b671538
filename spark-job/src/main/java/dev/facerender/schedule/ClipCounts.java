package dev.facerender.schedule;

import dev.facerender.io.InputException;
import dev.facerender.output.query.Fold;
import java.util.HashMap;
import java.util.Map;

/**
 * Each clip's frame rows, counted in one pass over the frames table ({@link Tally}, the same fold
 * for both schedulers): the run's total, each wave's share, the balance of each wave's partitions
 * and the report's sample all come from it. Rows without a clip id are counted apart (they become
 * error rows in whichever wave their null id hashes to).
 */
public final class ClipCounts {
  private final Map<String, ClipPartitions.ClipFrames> clips;
  private final long withoutClip;

  private ClipCounts(Map<String, ClipPartitions.ClipFrames> clips, long withoutClip) {
    this.clips = Map.copyOf(clips);
    this.withoutClip = withoutClip;
  }

  /**
   * Each clip's frame rows, first and last index, folded from (clip_id as text, frame_index) rows
   * of the frames table in any order and any split: what both schedulers count with. An index
   * beyond 32 bits is kept, not thrown, so that Spark's tasks report it to the driver as it is.
   */
  public static final class Tally implements Fold<Tally> {
    private static final long serialVersionUID = 1L;
    private final String table;
    // Per clip: frames, first index, last index, frames with an index.
    private final HashMap<String, long[]> clips = new HashMap<>();
    private long withoutClip;
    private Long tooWide;

    /** A tally of the frames table at {@code table} (named in errors). */
    public Tally(String table) {
      this.table = table;
    }

    @Override
    public void add(int read, Object[] values) {
      String clip = (String) values[0];
      if (clip == null) {
        withoutClip++;
        return;
      }
      long[] c =
          clips.computeIfAbsent(clip, k -> new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE, 0});
      c[0]++;
      if (values[1] != null) {
        long index = ((Number) values[1]).longValue();
        if (index != (int) index) {
          tooWide = index;
        }
        c[1] = Math.min(c[1], index);
        c[2] = Math.max(c[2], index);
        c[3]++;
      }
    }

    @Override
    public Tally merge(Tally other) {
      other.clips.forEach(
          (clip, o) ->
              clips.merge(
                  clip,
                  o,
                  (c, d) ->
                      new long[] {
                        c[0] + d[0], Math.min(c[1], d[1]), Math.max(c[2], d[2]), c[3] + d[3]
                      }));
      withoutClip += other.withoutClip;
      tooWide = tooWide != null ? tooWide : other.tooWide;
      return this;
    }

    /** The counts, each clip with the hash that places it in its wave ({@link Waves#clipHash}). */
    public ClipCounts counts() {
      if (tooWide != null) {
        throw tooWide(table, tooWide);
      }
      Map<String, ClipPartitions.ClipFrames> counted = new HashMap<>();
      clips.forEach(
          (clip, c) ->
              counted.put(
                  clip,
                  new ClipPartitions.ClipFrames(
                      c[0],
                      c[3] == 0 ? null : (int) c[1],
                      c[3] == 0 ? null : (int) c[2],
                      Waves.clipHash(clip))));
      return new ClipCounts(counted, withoutClip);
    }
  }

  /** The error for a frame index of {@code table} that does not fit 32 bits. */
  public static InputException tooWide(String table, long index) {
    return new InputException(
        "The frames table at "
            + table
            + " has frame_index "
            + index
            + ", which does not fit a 32-bit int: frame indexes must be below 2^31");
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
