package dev.facerender.output;

/** What a {@code videos_manifest} table lists for one run: videos, distinct clips, frames. */
public record VideoCounts(long rows, long clips, long frames) {
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
