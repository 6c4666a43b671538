package dev.facerender.schedule.local;

import dev.facerender.io.ParquetTable;
import dev.facerender.metrics.FrameError;
import dev.facerender.output.CommittedCounts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * {@link CommittedCounts} read back from the files the local engine wrote, key columns only, with
 * the same grouping as Spark's query: by (clip_id, frame_index), then by clip, then summed.
 */
public final class LocalCounts {
  private LocalCounts() {}

  static CommittedCounts read(Configuration conf, String frames, String errors, String runId) {
    // Per key: frame rows, rejected frames, error rows.
    Map<List<Object>, long[]> keys = new HashMap<>();
    ParquetTable framesTable = ParquetTable.open(frames, conf);
    if (framesTable != null) {
      framesTable.forEach(
          List.of("clip_id", "frame_index", "run_id"),
          v -> {
            if (runId.equals(v[2])) {
              keys.computeIfAbsent(key((String) v[0], (Integer) v[1]), k -> new long[3])[0]++;
            }
          });
    }
    ParquetTable errorsTable = ParquetTable.open(errors, conf);
    if (errorsTable != null) {
      errorsTable.forEach(
          List.of("run_id", "clip_id", "frame_index", "stage"),
          v -> {
            if (!runId.equals(v[0])) {
              return;
            }
            long[] counts =
                keys.computeIfAbsent(key((String) v[1], (Integer) v[2]), k -> new long[3]);
            if (!FrameError.SOURCE_ROW.equals(v[3])) {
              counts[1]++;
            }
            counts[2]++;
          });
    }
    // Per clip: frame rows, keys with frame rows, rejected frames.
    Map<String, long[]> clips = new HashMap<>();
    long errorRows = 0;
    for (Map.Entry<List<Object>, long[]> entry : keys.entrySet()) {
      long[] k = entry.getValue();
      long[] clip = clips.computeIfAbsent((String) entry.getKey().get(0), c -> new long[3]);
      clip[0] += k[0];
      clip[1] += k[0] > 0 ? 1 : 0;
      clip[2] += k[1];
      errorRows += k[2];
    }
    long frameRows = 0;
    long frameKeys = 0;
    long errorFrames = 0;
    long clipsWithFrames = 0;
    long clipsWithAny = 0;
    for (long[] clip : clips.values()) {
      frameRows += clip[0];
      frameKeys += clip[1];
      errorFrames += clip[2];
      clipsWithFrames += clip[0] > 0 ? 1 : 0;
      clipsWithAny += clip[0] > 0 || clip[2] > 0 ? 1 : 0;
    }
    return new CommittedCounts(
        frameRows, frameKeys, errorRows, errorFrames, clipsWithAny, clipsWithFrames, null);
  }

  /** A (clip_id, frame_index) key that may hold nulls, as Spark's grouping keeps them. */
  private static List<Object> key(String clip, Integer index) {
    List<Object> key = new ArrayList<>(2);
    key.add(clip);
    key.add(index);
    return key;
  }
}
