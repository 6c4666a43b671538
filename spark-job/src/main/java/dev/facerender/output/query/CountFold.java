package dev.facerender.output.query;

import dev.facerender.metrics.FrameError;
import dev.facerender.output.CommittedCounts;
import dev.facerender.output.VideoCounts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link CommittedCounts}, folded by clip: each part holds whole clips, so it can count distinct
 * (clip_id, frame_index) keys and clips on its own and ship only totals. Reads: {@link #FRAMES}
 * (clip_id, frame_index), {@link #ERRORS} (clip_id, frame_index, stage) and {@link #VIDEOS}
 * (clip_id, frames).
 */
final class CountFold implements Fold<CountFold> {
  static final int FRAMES = 0;
  static final int ERRORS = 1;
  static final int VIDEOS = 2;
  private static final long serialVersionUID = 1L;

  // Until settled, per key: frame rows, rejected frames, error rows.
  private final Map<List<Object>, long[]> keys = new HashMap<>();
  private final Set<String> videoClips = new HashSet<>();
  // Settled totals, in CommittedCounts' order, then videos' rows, clips and frames.
  private final long[] totals = new long[9];

  @Override
  public void add(int read, Object[] values) {
    if (read == VIDEOS) {
      totals[6]++;
      totals[8] += (Long) values[1];
      videoClips.add((String) values[0]);
      return;
    }
    long[] key = keys.computeIfAbsent(key(values[0], values[1]), k -> new long[3]);
    if (read == FRAMES) {
      key[0]++;
    } else {
      if (!FrameError.SOURCE_ROW.equals(values[2])) {
        key[1]++;
      }
      key[2]++;
    }
  }

  @Override
  public void settle() {
    // Per clip: frame rows, keys with frame rows, rejected frames.
    Map<Object, long[]> clips = new HashMap<>();
    for (Map.Entry<List<Object>, long[]> entry : keys.entrySet()) {
      long[] k = entry.getValue();
      long[] clip = clips.computeIfAbsent(entry.getKey().get(0), c -> new long[3]);
      clip[0] += k[0];
      clip[1] += k[0] > 0 ? 1 : 0;
      clip[2] += k[1];
      totals[2] += k[2];
    }
    for (long[] clip : clips.values()) {
      totals[0] += clip[0];
      totals[1] += clip[1];
      totals[3] += clip[2];
      totals[4] += clip[0] > 0 || clip[2] > 0 ? 1 : 0;
      totals[5] += clip[0] > 0 ? 1 : 0;
    }
    totals[7] += videoClips.size();
    keys.clear();
    videoClips.clear();
  }

  @Override
  public CountFold merge(CountFold other) {
    for (int i = 0; i < totals.length; i++) {
      totals[i] += other.totals[i];
    }
    return this;
  }

  /** The counts; {@code withVideos} says whether a videos manifest was read. */
  CommittedCounts counts(boolean withVideos) {
    return new CommittedCounts(
        totals[0],
        totals[1],
        totals[2],
        totals[3],
        totals[4],
        totals[5],
        withVideos ? new VideoCounts(totals[6], totals[7], totals[8]) : null);
  }

  /** A (clip_id, frame_index) key that may hold nulls, as a grouping of the table keeps them. */
  private static List<Object> key(Object clip, Object index) {
    List<Object> key = new ArrayList<>(2);
    key.add(clip);
    key.add(index);
    return key;
  }
}
