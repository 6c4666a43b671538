package dev.facerender.schedule;

import dev.facerender.job.MetricsDigest;
import dev.facerender.metrics.FrameError;
import dev.facerender.output.CommittedCounts;
import dev.facerender.output.OutputFolder;
import java.util.List;

/**
 * How a run's tables are read back for its checks and its digest: by Spark where its tasks ran, or
 * by this JVM. Paths are table folders; only rows of the run asked for count.
 */
public interface RunTables {
  /**
   * What {@code frames}, {@code errors} and, when not null, {@code videos} (a videos_manifest
   * folder) hold for {@code runId}, read from key columns only.
   */
  CommittedCounts counts(String frames, String errors, String videos, String runId);

  /** Frames of {@code staged} whose (clip_id, frame_index) is already in {@code existing}. */
  long overlap(String staged, String existing);

  /** The digest of run {@code runId}'s batches in the metrics table {@code metrics}. */
  MetricsDigest digest(String metrics, String runId);

  /** The first {@code limit} error rows of {@code runId}, by clip and frame index, nulls first. */
  List<FrameError> errorSample(String errors, String runId, int limit);

  /** What is wrong with run {@code runId}'s committed videos in {@code out}, or null. */
  String videoFailure(OutputFolder out, String runId);
}
